import type { Rng } from './prng';

/*
 * Fixed pools the simulator draws from. Agent and workspace ids are constants so repeated runs
 * land on the same few values, which makes filtering by search attribute in the Temporal UI useful.
 */

export interface AgentProfile {
  agentId: string;
  agentName: string;
  workspaceId: string;
  versionId: string;
  versionSlug: string;
  versionDescription: string | null;
  bulkListIds: readonly string[];
  fromNumbers: readonly string[];
  classifications: readonly string[];
  /** Alternating bot/user lines of a typical conversation; the bot opens. */
  dialogue: readonly string[];
  customArgs(rng: Rng, callee: Callee): Record<string, unknown>;
  clientAnalysis(rng: Rng, classification: string): Record<string, unknown>;
  summary(callee: Callee, classification: string): string;
}

export interface Callee {
  name: string;
  /** The name as given at call initiation when Ringg's smart formatter rewrote it (ringg-webhooks.md §2.9). */
  originalName: string | null;
  number: string;
}

const WORKSPACE_LENDING = '6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b';
const WORKSPACE_CLINICS = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';

const NAMES: readonly (readonly [string, string | null])[] = [
  ['Aarav Sharma', null],
  ['Priya Nair', null],
  ['Rohan', 'Rohan Mehta'],
  ['Ananya Iyer', null],
  ['राहुल', 'Rahul Verma'],
  ['Sneha Kulkarni', null],
  ['Vikram Singh', null],
  ['Fatima Sheikh', null],
  ['अनीता', 'Anita Desai'],
  ['Karthik Reddy', null],
];

export function pickCallee(rng: Rng): Callee {
  const [name, originalName] = rng.pick(NAMES);
  // Indian mobile numbers start with 6-9 and have 10 digits after +91.
  const number = `+91${rng.int(6, 9)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
  return { name, originalName, number };
}

const rupees = (rng: Rng, min: number, max: number): number => rng.int(min / 100, max / 100) * 100;

export const AGENTS: readonly AgentProfile[] = [
  {
    agentId: '3f6c1a2e-8d4b-4c7e-9a1f-2b3c4d5e6f70',
    agentName: 'Priya - EMI Reminder',
    workspaceId: WORKSPACE_LENDING,
    versionId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
    versionSlug: 'v3',
    versionDescription: 'Softer opening, asks for a payment date',
    bulkListIds: ['0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'],
    fromNumbers: ['+918035735900', '+918035735901'],
    classifications: ['payment_promised', 'payment_already_done', 'dispute_raised', 'callback_requested'],
    dialogue: [
      'Namaste, am I speaking with the account holder?',
      'Yes, speaking.',
      'I am calling from Finserv about your EMI due this week. Will you be able to pay it on time?',
      'I will pay by Friday.',
      'Thank you. Shall I send the payment link on this number?',
      'Yes please, send it.',
      'Done. Thank you for your time, have a good day.',
    ],
    customArgs: (rng, callee) => ({
      callee_name: callee.name,
      ...(callee.originalName ? { original_callee_name: callee.originalName } : {}),
      mobile_number: callee.number,
      loan_account_number: `LN${rng.int(10_000_000, 99_999_999)}`,
      emi_amount: String(rupees(rng, 2_000, 45_000)),
      due_date: `2026-09-${String(rng.int(1, 28)).padStart(2, '0')}`,
    }),
    clientAnalysis: (rng, classification) => ({
      promised_to_pay: classification === 'payment_promised',
      promised_amount: classification === 'payment_promised' ? rupees(rng, 2_000, 45_000) : null,
      customer_cooperation_score: rng.float(3, 10, 1),
      preferred_language: rng.pick(['Hindi', 'English', 'Marathi']),
      needs_human_follow_up: classification === 'dispute_raised',
    }),
    summary: (callee, classification) =>
      `Reminded ${callee.name} about the upcoming EMI; outcome: ${classification.replace(/_/g, ' ')}.`,
  },
  {
    agentId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    agentName: 'Arjun - Lead Qualifier',
    workspaceId: WORKSPACE_LENDING,
    versionId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    versionSlug: 'v1',
    versionDescription: null,
    bulkListIds: ['5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'],
    fromNumbers: ['+918035735910'],
    classifications: ['qualified_lead', 'not_interested', 'callback_requested'],
    dialogue: [
      'Hi, this is Arjun from Finserv. You enquired about a personal loan, is this a good time?',
      'Yes, go ahead.',
      'What loan amount are you looking for, and what is your monthly income?',
      'Around five lakh. I earn about eighty thousand a month.',
      'You are likely eligible. Can our advisor call you tomorrow?',
      'Tomorrow evening works.',
      'Great, I have noted that. Thank you!',
    ],
    customArgs: (rng, callee) => ({
      callee_name: callee.name,
      mobile_number: callee.number,
      product: rng.pick(['personal_loan', 'home_loan', 'gold_loan']),
      city: rng.pick(['Pune', 'Bengaluru', 'Mumbai', 'Jaipur']),
      lead_source: rng.pick(['website', 'partner', 'missed_call']),
    }),
    clientAnalysis: (rng, classification) => ({
      interest_level: rng.float(0, 10, 1),
      qualified: classification === 'qualified_lead',
      loan_amount_requested: rupees(rng, 100_000, 1_500_000),
      monthly_income: rupees(rng, 25_000, 200_000),
      objections: classification === 'not_interested' ? [rng.pick(['interest rate', 'already has a loan'])] : [],
    }),
    summary: (callee, classification) =>
      `Qualified ${callee.name} for a loan enquiry; outcome: ${classification.replace(/_/g, ' ')}.`,
  },
  {
    agentId: 'c4b3a291-0f1e-4d2c-8b3a-4f5e6d7c8b9a',
    agentName: 'Meera - Appointment Booking',
    workspaceId: WORKSPACE_CLINICS,
    versionId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    versionSlug: 'v2',
    versionDescription: 'Offers two slots before asking for a preference',
    bulkListIds: [],
    fromNumbers: ['+912247890000'],
    classifications: ['appointment_booked', 'reschedule_requested', 'not_interested'],
    dialogue: [
      'Hello, this is Meera from CareFirst Clinics. Your follow-up visit is due.',
      'Oh right.',
      'Would Tuesday at 11 AM or Thursday at 4 PM suit you better?',
      'Thursday please.',
      'Booked for Thursday at 4 PM. You will get an SMS confirmation.',
      'Thanks.',
      'Take care, goodbye.',
    ],
    customArgs: (rng, callee) => ({
      callee_name: callee.name,
      mobile_number: callee.number,
      clinic: rng.pick(['Koramangala', 'Andheri West', 'Salt Lake']),
      doctor: rng.pick(['Dr. Rao', 'Dr. Kapoor', 'Dr. Banerjee']),
      transfer_to: '+912247890099',
    }),
    clientAnalysis: (rng, classification) => ({
      appointment_booked: classification === 'appointment_booked',
      slot: classification === 'appointment_booked' ? rng.pick(['Tue 11:00', 'Thu 16:00']) : null,
      satisfaction: rng.int(1, 5),
      notes: { language: rng.pick(['English', 'Hindi', 'Bengali']), wants_reminder_sms: rng.chance(0.7) },
    }),
    summary: (callee, classification) =>
      `Called ${callee.name} about a follow-up visit; outcome: ${classification.replace(/_/g, ' ')}.`,
  },
];

export const CALLING_SOURCES = ['plivo', 'twilio', 'exotel', 'vobiz'] as const;
