import type { CallEventType } from '../events';
import { AGENTS, CALLING_SOURCES, pickCallee, type AgentProfile, type Callee } from './call-profiles';
import { createRng, type Rng } from './prng';

/*
 * Builds the V3 event sequence of one simulated Ringg call (ringg-webhooks.md §1-§2):
 * CS registered/QUEUED, sometimes CS ongoing/ACCEPTED, one CC per dial attempt, then RC
 * (connected calls only), PA, CA and APC. Pure: the same options give the same payloads.
 */

export type RinggPayload = Record<string, unknown> & { call_id: string; event_type: CallEventType };

/** How the call ends; drives Ringg's status/sub_status and which events exist. */
export type CallScenario = 'conversation' | 'voicemail' | 'busy' | 'no_answer' | 'not_able_to_call';

export interface GenerateCallOptions {
  /** Run seed; with `index` it fixes everything about the call. */
  seed: string | number;
  /** Position of the call in the run, so calls of one seed differ from each other. */
  index: number;
  /** When Ringg registered the call; every event time is derived from it. */
  startedAt: Date;
  /** Where recordings live; null gives `https://recordings.example.invalid/<call_id>.mp3`. */
  recordingBaseUrl?: string | null;
}

export interface GeneratedCall {
  callId: string;
  agentId: string;
  workspaceId: string;
  scenario: CallScenario;
  /** Ringg's final `status` on `all_processing_completed`. */
  finalStatus: string;
  /** In the order Ringg would emit them. */
  events: RinggPayload[];
}

const SCENARIO_WEIGHTS: readonly (readonly [CallScenario, number])[] = [
  ['conversation', 0.62],
  ['voicemail', 0.1],
  ['busy', 0.14],
  ['no_answer', 0.09],
  ['not_able_to_call', 0.05],
];

const PLACEHOLDER_RECORDING_HOST = 'https://recordings.example.invalid';

function pickScenario(rng: Rng): CallScenario {
  let roll = rng.next();
  for (const [scenario, weight] of SCENARIO_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return scenario;
  }
  return 'conversation';
}

/** ISO 8601 in UTC with microseconds and `Z`, as Ringg formats its timestamps. */
export function isoMicros(epochMicros: number): string {
  const whole = Math.floor(epochMicros);
  const millis = Math.floor(whole / 1000);
  return `${new Date(millis).toISOString().slice(0, -1)}${String(whole % 1000).padStart(3, '0')}Z`;
}

export function recordingUrlFor(callId: string, recordingBaseUrl: string | null | undefined): string {
  const base = (recordingBaseUrl ?? PLACEHOLDER_RECORDING_HOST).replace(/\/+$/, '');
  return `${base}/${callId}.mp3`;
}

type Turn = { bot: string } | { user: string };

/** Bot/user single-key turns; some bot lines are split into fragments and some user lines into two turns, as in Ringg's examples. */
function buildTranscript(rng: Rng, dialogue: readonly string[], lines: number): Turn[] {
  const turns: Turn[] = [];
  dialogue.slice(0, lines).forEach((line, i) => {
    const speaker = i % 2 === 0 ? 'bot' : 'user';
    const words = line.split(' ');
    const split = words.length >= 4 && rng.chance(speaker === 'bot' ? 0.3 : 0.15);
    let parts = [line];
    if (split) {
      const cut = rng.int(1, words.length - 1);
      parts = [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
    }
    for (const part of parts) turns.push(speaker === 'bot' ? { bot: part } : { user: part });
  });
  return turns;
}

const VOICEMAIL_TRANSCRIPT: readonly Turn[] = [
  { bot: 'Hello, am I speaking with' },
  { bot: 'the account holder?' },
  { user: 'The number you are trying to reach is not available. Please leave a message after the tone.' },
];

const FAILED_SUB_STATUS: Record<'busy' | 'no_answer' | 'not_able_to_call', { sub: string; attempt: string }> = {
  busy: { sub: 'busy line', attempt: 'Busy Line' },
  no_answer: { sub: 'no answer', attempt: 'No Answer' },
  not_able_to_call: { sub: 'not_able_to_call', attempt: 'NOT_ABLE_TO_CALL' },
};

interface Attempt {
  callSid: string | null;
  calledOnMicros: number;
  rawStatus: string;
}

export function generateCall(options: GenerateCallOptions): GeneratedCall {
  const rng = createRng(`${options.seed}:call:${options.index}`);
  const agent: AgentProfile = rng.pick(AGENTS);
  const callee: Callee = pickCallee(rng);
  const scenario = pickScenario(rng);
  const callId = rng.uuid();
  const callingSource = rng.pick(CALLING_SOURCES);
  const fromNumber = rng.pick(agent.fromNumbers);
  const bulkListId = agent.bulkListIds.length > 0 && rng.chance(0.6) ? rng.pick(agent.bulkListIds) : null;
  const customArgs = agent.customArgs(rng, callee);
  const connected = scenario === 'conversation' || scenario === 'voicemail';
  const neverPlaced = scenario === 'not_able_to_call';

  const registeredMicros = options.startedAt.getTime() * 1000 + rng.int(0, 999);
  let clock = registeredMicros;
  const advance = (minSeconds: number, maxSeconds: number): number => {
    clock += rng.int(minSeconds * 1_000_000, maxSeconds * 1_000_000);
    return clock;
  };
  const providerSid = (): string => (callingSource === 'twilio' ? `CA${rng.hex(32)}` : rng.uuid());

  // An unanswered first dial followed by a redial is the "retry" CC of ringg-webhooks.md §1.
  const hasRetry = !neverPlaced && rng.chance(scenario === 'no_answer' ? 0.7 : 0.25);
  const attempts: Attempt[] = [];
  if (hasRetry) attempts.push({ callSid: providerSid(), calledOnMicros: advance(2, 20), rawStatus: 'No Answer' });
  const finalAttemptStatus = connected ? 'ACCEPTED' : FAILED_SUB_STATUS[scenario].attempt;
  attempts.push({
    callSid: neverPlaced ? null : providerSid(),
    calledOnMicros: advance(hasRetry ? 60 : 2, hasRetry ? 180 : 20),
    rawStatus: finalAttemptStatus,
  });
  const finalAttempt = attempts[attempts.length - 1] as Attempt;

  const finalStatus = connected ? 'completed' : neverPlaced ? 'error' : 'failed';
  const finalSubStatus = connected
    ? scenario === 'voicemail'
      ? rng.pick(['VOICEMAIL_DETECTED', 'VOICEMAIL_DETECTED_VIA_LLM'])
      : 'ACCEPTED'
    : FAILED_SUB_STATUS[scenario].sub;
  const transcript: Turn[] = !connected
    ? []
    : scenario === 'voicemail'
      ? [...VOICEMAIL_TRANSCRIPT]
      : buildTranscript(rng, agent.dialogue, rng.int(4, agent.dialogue.length));
  const callDuration = connected
    ? rng.float(scenario === 'voicemail' ? 8 : 35, scenario === 'voicemail' ? 20 : 240, 6)
    : null;
  const callCost = callDuration === null ? null : Number(((callDuration / 60) * 2.5).toFixed(4));
  const overallLatency = connected ? rng.float(0.8, 2.6, 6) : null;
  const firstUtterance = connected ? rng.float(0.4, 1.8, 6) : null;
  const picked = rng.pick(agent.classifications);
  const classification = scenario === 'voicemail' ? 'voicemail' : picked;
  const recordingUrl = connected ? recordingUrlFor(callId, options.recordingBaseUrl) : null;

  const identity = {
    call_id: callId,
    custom_args_values: customArgs,
    bulk_list_id: bulkListId,
    agent_name: agent.agentName,
    version_id: agent.versionId,
    tool_call_logs: [],
  };
  const common = {
    ...identity,
    agent_id: agent.agentId,
    workspace_id: agent.workspaceId,
    call_type: 'outbound',
    to_number: callee.number,
    from_number: fromNumber,
    version_slug: agent.versionSlug,
    version_description: agent.versionDescription,
    created_at: isoMicros(registeredMicros),
  };
  const lifecycle = (timestampMicros: number) => ({
    event_id: rng.uuid(),
    version: '1.0',
    timestamp: isoMicros(timestampMicros),
  });
  const counts = {
    agent_message_count: transcript.filter((turn) => 'bot' in turn).length,
    user_message_count: transcript.filter((turn) => 'user' in turn).length,
  };
  const outcome = {
    call_sid: finalAttempt.callSid,
    status: finalStatus,
    sub_status: finalSubStatus,
    called_on: neverPlaced ? null : isoMicros(finalAttempt.calledOnMicros),
    call_duration: callDuration,
    transcript,
    ...counts,
    call_cost: callCost,
    overall_latency_seconds: overallLatency,
    first_utterance_seconds: firstUtterance,
  };

  const events: RinggPayload[] = [];
  events.push({
    ...common,
    ...lifecycle(registeredMicros),
    event_type: 'call_started',
    call_sid: null,
    status: 'registered',
    sub_status: 'QUEUED',
    calling_source: callingSource,
    called_on: null,
    created_at: null,
    call_cost: null,
    overall_latency_seconds: null,
    first_utterance_seconds: null,
  });

  attempts.forEach((attempt, retryCount) => {
    const isFinal = attempt === finalAttempt;
    const endedMicros =
      isFinal && callDuration !== null ? attempt.calledOnMicros + callDuration * 1_000_000 : attempt.calledOnMicros;
    if (isFinal && connected && rng.chance(0.5)) {
      // A call that connects quickly may publish a second CS with ongoing/ACCEPTED (V3).
      const connectedMicros = attempt.calledOnMicros + rng.int(2_000_000, 9_000_000);
      events.push({
        ...common,
        ...lifecycle(connectedMicros),
        event_type: 'call_started',
        call_sid: attempt.callSid,
        status: 'ongoing',
        sub_status: 'ACCEPTED',
        calling_source: callingSource,
        called_on: isoMicros(attempt.calledOnMicros),
        call_cost: null,
        overall_latency_seconds: null,
        first_utterance_seconds: null,
      });
    }
    const ccMicros = (clock = Math.max(clock, endedMicros) + rng.int(500_000, 3_000_000));
    events.push({
      ...common,
      ...(isFinal
        ? outcome
        : {
            call_sid: attempt.callSid,
            status: 'retry',
            sub_status: 'no answer',
            called_on: isoMicros(attempt.calledOnMicros),
            call_duration: null,
            transcript: [],
            agent_message_count: 0,
            user_message_count: 0,
            call_cost: null,
            overall_latency_seconds: null,
            first_utterance_seconds: null,
          }),
      ...lifecycle(ccMicros),
      event_type: 'call_completed',
      calling_source: callingSource,
      retry_count: retryCount,
      // A call that was never placed had no dial, so it lists no attempt.
      attempts: attempts
        .slice(0, retryCount + 1)
        .filter((a) => a.callSid !== null)
        .map((a) => ({ status: a.rawStatus, called_on_time: isoMicros(a.calledOnMicros) })),
      recording_url: null,
    });
  });
  const callEndedMicros = clock;

  const analysisEvents: { micros: number; payload: RinggPayload }[] = [];
  if (connected && recordingUrl !== null && callDuration !== null) {
    analysisEvents.push({
      micros: callEndedMicros + rng.int(3_000_000, 15_000_000),
      payload: {
        ...identity,
        event_type: 'recording_completed',
        call_sid: finalAttempt.callSid,
        sub_status: finalSubStatus,
        recording_url: recordingUrl,
        recording_duration: Number((callDuration + rng.float(0.2, 1.5, 6)).toFixed(6)),
        call_cost: callCost,
        overall_latency_seconds: overallLatency,
        first_utterance_seconds: firstUtterance,
      },
    });
  }

  const platformAnalysis = connected
    ? {
        summary:
          scenario === 'voicemail'
            ? `Reached the voicemail of ${callee.name}; no conversation took place.`
            : agent.summary(callee, classification),
        classification,
        key_points:
          scenario === 'voicemail'
            ? ['Call went to voicemail']
            : [`Spoke with ${callee.name}`, `Outcome: ${classification.replace(/_/g, ' ')}`],
        action_items: classification === 'callback_requested' ? ['Schedule a callback'] : [],
        call_disconnect_reason: rng.pick(['agent_hangup', 'user_hangup']),
        callback_requested: classification === 'callback_requested',
        callback_requested_time:
          classification === 'callback_requested' ? isoMicros(callEndedMicros + 86_400_000_000).slice(0, 19) : null,
        status: 'analyzed',
        timezone: 'Asia/Kolkata',
      }
    : {};
  const clientAnalysis = connected && scenario === 'conversation' ? agent.clientAnalysis(rng, classification) : {};
  const analysisBase = { ...common, ...outcome, entity_type: 'call' };
  analysisEvents.push({
    micros: callEndedMicros + rng.int(5_000_000, 30_000_000),
    payload: { ...analysisBase, event_type: 'platform_analysis_completed', analysis_data: platformAnalysis },
  });
  analysisEvents.push({
    micros: callEndedMicros + rng.int(5_000_000, 40_000_000),
    payload: { ...analysisBase, event_type: 'client_analysis_completed', analysis_data: clientAnalysis },
  });
  analysisEvents.sort((a, b) => a.micros - b.micros);
  events.push(...analysisEvents.map((event) => event.payload));

  const analysisStatus = connected ? 'success' : 'failed';
  events.push({
    ...common,
    ...outcome,
    event_type: 'all_processing_completed',
    recording_url: recordingUrl,
    platform_analysis: connected ? platformAnalysis : null,
    platform_analysis_status: analysisStatus,
    client_analysis: connected ? clientAnalysis : null,
    client_analysis_status: analysisStatus,
  });

  return { callId, agentId: agent.agentId, workspaceId: agent.workspaceId, scenario, finalStatus, events };
}
