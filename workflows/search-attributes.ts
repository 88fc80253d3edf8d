import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes the UI filters calls by; registered on every server we start. */
export const CallStatusKey = defineSearchAttributeKey('CallStatus', SearchAttributeType.KEYWORD);
export const RinggCallStatusKey = defineSearchAttributeKey('RinggCallStatus', SearchAttributeType.KEYWORD);
export const AgentIdKey = defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD);
export const WorkspaceIdKey = defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD);

export const CALL_SEARCH_ATTRIBUTES = [CallStatusKey, RinggCallStatusKey, AgentIdKey, WorkspaceIdKey];
