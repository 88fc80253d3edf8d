// The worker's workflowsPath: everything here runs in Temporal's deterministic sandbox.
export { callWorkflow } from './call-workflow';
