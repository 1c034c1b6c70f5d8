import { nodeCrypto } from '../lazy-require.ts';
import type { Driver } from './driver.ts';
import { migrate } from './migrate.ts';
import { listChanges, recordChanges } from './operations/changes.ts';
import { clearSeen, deleteUnseen } from './operations/deleteUnseen.ts';
import { findApiTokenByHash } from './operations/findApiTokenByHash.ts';
import { insertApiToken } from './operations/insertApiToken.ts';
import {
  deleteIntegration,
  findIntegration,
  insertIntegration,
  listIntegrations,
  updateIntegration,
} from './operations/integrations.ts';
import { latestVerdicts } from './operations/latestVerdicts.ts';
import { listApiTokens } from './operations/listApiTokens.ts';
import {
  completeMonitorRun,
  deleteMonitor,
  dismissDrift,
  findMonitor,
  insertMonitor,
  insertMonitorRun,
  listDrift,
  listMonitorRuns,
  listMonitors,
  listRunningMonitorRuns,
  setMonitorRunValidations,
} from './operations/monitors.ts';
import {
  countByType,
  getEntity,
  getRelationship,
  listEntities,
  relationshipsOf,
} from './operations/readGraph.ts';
import { getAlertEvents, recordAlertVerification } from './operations/recordAlertVerification.ts';
import { recordWebhookAlerts, recordWebhookBatch } from './operations/recordWebhookAlerts.ts';
import { revokeApiToken } from './operations/revokeApiToken.ts';
import {
  clearRuleAlert,
  dismissRuleAlert,
  findOpenRuleAlert,
  getRuleAlert,
  listRuleAlerts,
  openRuleAlert,
  refreshRuleAlert,
} from './operations/rules/ruleAlerts.ts';
import { deleteRule, findRule, insertRule, listRules } from './operations/rules/ruleDefinitions.ts';
import { readRuleState, saveRuleState } from './operations/rules/ruleStates.ts';
import { listWebhookAttempts, recordWebhookAttempt } from './operations/rules/webhookAttempts.ts';
import { createRun, finishRun, getRun, listRuns } from './operations/runs.ts';
import {
  beginScheduledJob,
  finishScheduledJob,
  insertScheduledJob,
  insertScheduledJobs,
  listUnfinishedJobs,
  pruneFinishedJobs,
  rescheduleJob,
} from './operations/scheduledJobs.ts';
import { recordSecretKeyFingerprint, secretKeyState } from './operations/secretKeyFingerprint.ts';
import { listSteps, recordStep } from './operations/steps.ts';
import { touchApiToken } from './operations/touchApiToken.ts';
import {
  getValidation,
  getValidationAction,
  insertValidation,
  listPendingPolls,
  listValidationActions,
  listValidations,
} from './operations/validations.ts';
import { recordValidationPoll } from './operations/validationsPoll.ts';
import {
  getThreatStackWebhookSecret,
  getWebhookSecret,
  putWebhookSecret,
} from './operations/webhookSecrets.ts';
import { writeEntities } from './operations/writeEntities.ts';
import { writeRelationships } from './operations/writeRelationships.ts';
import { runQuery } from './query/run.ts';
import type { RunLocker } from './run-lock.ts';
import { type StoreLocation, toStoreError } from './store-error.ts';
import type { GraphStore, MonitorRecords, RuleRecords, ValidationRecords } from './types.ts';

/**
 * The GraphStore over a driver and its back end's run locks: each method is one operation
 * module, and every failure leaves as `STORE_ERROR` naming the operation (coded errors such as
 * `NOT_FOUND` pass through). `newRunId` is injectable for tests; it defaults to random UUIDs.
 */
export function createGraphStore(
  driver: Driver,
  location: StoreLocation,
  runLocker: RunLocker,
  newRunId: () => string = () => nodeCrypto().randomUUID(),
): GraphStore {
  const guard = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(operation, error, location);
    }
  };
  return {
    dialect: driver.dialect,
    migrate: () => guard('migrate', () => migrate(driver)),
    checkpointInBackground: () => void driver.checkpointInBackground?.(),
    close: () => guard('close', () => driver.close()),
    acquireRunLock: async (integrationId) => {
      const lock = await guard('acquireRunLock', () => runLocker(integrationId));
      return lock && { signal: lock.signal, release: () => guard('releaseRunLock', () => lock.release()) };
    },
    createRun: (integrationId, startedAt) =>
      guard('createRun', () => createRun(driver, newRunId(), integrationId, startedAt)),
    finishRun: (runId, status, finishedAt, summary) =>
      guard('finishRun', () => finishRun(driver, runId, status, finishedAt, summary)),
    recordStep: (step) => guard('recordStep', () => recordStep(driver, step)),
    recordChanges: (runId, changes) => guard('recordChanges', () => recordChanges(driver, runId, changes)),
    getRun: (runId) => guard('getRun', () => getRun(driver, runId)),
    listRuns: (integrationId, limit) => guard('listRuns', () => listRuns(driver, integrationId, limit)),
    listSteps: (runId) => guard('listSteps', () => listSteps(driver, runId)),
    listChanges: (runId) => guard('listChanges', () => listChanges(driver, runId)),
    writeEntities: (runId, integrationId, entities, at) =>
      guard('writeEntities', () => writeEntities(driver, runId, integrationId, entities, at)),
    writeRelationships: (runId, integrationId, relationships, at) =>
      guard('writeRelationships', () => writeRelationships(driver, runId, integrationId, relationships, at)),
    deleteUnseen: (runId, integrationId, kind, type) =>
      guard('deleteUnseen', () => deleteUnseen(driver, runId, integrationId, kind, type)),
    clearSeen: (runId) => guard('clearSeen', () => clearSeen(driver, runId)),
    countEntitiesByType: (integrationId) =>
      guard('countEntitiesByType', () => countByType(driver, 'entity', integrationId)),
    countRelationshipsByType: (integrationId) =>
      guard('countRelationshipsByType', () => countByType(driver, 'relationship', integrationId)),
    getEntity: (key) => guard('getEntity', () => getEntity(driver, key)),
    listEntities: (filter) => guard('listEntities', () => listEntities(driver, filter)),
    getRelationship: (key) => guard('getRelationship', () => getRelationship(driver, key)),
    relationshipsOf: (key) => guard('relationshipsOf', () => relationshipsOf(driver, key)),
    query: (query, options) => guard('query', () => runQuery(driver, query, options)),
    insertIntegration: (record) => guard('insertIntegration', () => insertIntegration(driver, record)),
    updateIntegration: (id, update) =>
      guard('updateIntegration', () => updateIntegration(driver, id, update)),
    findIntegration: (reference) => guard('findIntegration', () => findIntegration(driver, reference)),
    listIntegrations: () => guard('listIntegrations', () => listIntegrations(driver)),
    deleteIntegration: (id) => guard('deleteIntegration', () => deleteIntegration(driver, id)),
    insertScheduledJob: (job) => guard('insertScheduledJob', () => insertScheduledJob(driver, job)),
    insertScheduledJobs: (jobs) => guard('insertScheduledJobs', () => insertScheduledJobs(driver, jobs)),
    listUnfinishedJobs: () => guard('listUnfinishedJobs', () => listUnfinishedJobs(driver)),
    beginScheduledJob: (kind, key) => guard('beginScheduledJob', () => beginScheduledJob(driver, kind, key)),
    rescheduleJob: (kind, key, runAt) =>
      guard('rescheduleJob', () => rescheduleJob(driver, kind, key, runAt)),
    finishScheduledJob: (kind, key, at) =>
      guard('finishScheduledJob', () => finishScheduledJob(driver, kind, key, at)),
    pruneFinishedJobs: (before) => guard('pruneFinishedJobs', () => pruneFinishedJobs(driver, before)),
    insertApiToken: (record) => guard('insertApiToken', () => insertApiToken(driver, record)),
    findApiTokenByHash: (hash) => guard('findApiTokenByHash', () => findApiTokenByHash(driver, hash)),
    listApiTokens: () => guard('listApiTokens', () => listApiTokens(driver)),
    revokeApiToken: (name, at) => guard('revokeApiToken', () => revokeApiToken(driver, name, at)),
    touchApiToken: (id, at) => guard('touchApiToken', () => touchApiToken(driver, id, at)),
    recordWebhookAlerts: (integrationId, alerts, at) =>
      guard('recordWebhookAlerts', () => recordWebhookAlerts(driver, integrationId, alerts, at)),
    recordWebhookBatch: (deliveries, at, within) =>
      guard('recordWebhookBatch', () => recordWebhookBatch(driver, deliveries, at, within)),
    recordAlertVerification: (integrationId, verification, at) =>
      guard('recordAlertVerification', () =>
        recordAlertVerification(driver, integrationId, verification, at),
      ),
    getAlertEvents: (alertKey) => guard('getAlertEvents', () => getAlertEvents(driver, alertKey)),
    getWebhookSecret: (integrationId) =>
      guard('getWebhookSecret', () => getWebhookSecret(driver, integrationId)),
    getThreatStackWebhookSecret: (integrationId) =>
      guard('getThreatStackWebhookSecret', () => getThreatStackWebhookSecret(driver, integrationId)),
    putWebhookSecret: (integrationId, sealed, createdAt, mode) =>
      guard('putWebhookSecret', () => putWebhookSecret(driver, integrationId, sealed, createdAt, mode)),
    secretKeyState: () => guard('secretKeyState', () => secretKeyState(driver)),
    recordSecretKeyFingerprint: (fingerprint) =>
      guard('recordSecretKeyFingerprint', () => recordSecretKeyFingerprint(driver, fingerprint)),
    ...ruleRecords(driver, guard),
    ...validationRecords(driver, guard),
    ...monitorRecords(driver, guard),
  };
}

type Guard = <T>(operation: string, work: () => Promise<T>) => Promise<T>;

/** The RuleRecords role over the driver, each method guarded like the others. */
function ruleRecords(driver: Driver, guard: Guard): RuleRecords {
  return {
    insertRule: (record) => guard('insertRule', () => insertRule(driver, record)),
    findRule: (reference) => guard('findRule', () => findRule(driver, reference)),
    listRules: () => guard('listRules', () => listRules(driver)),
    deleteRule: (id) => guard('deleteRule', () => deleteRule(driver, id)),
    readRuleState: (ruleId) => guard('readRuleState', () => readRuleState(driver, ruleId)),
    saveRuleState: (ruleId, evaluatedAt, state) =>
      guard('saveRuleState', () => saveRuleState(driver, ruleId, evaluatedAt, state)),
    findOpenRuleAlert: (ruleId) => guard('findOpenRuleAlert', () => findOpenRuleAlert(driver, ruleId)),
    openRuleAlert: (record) => guard('openRuleAlert', () => openRuleAlert(driver, record)),
    refreshRuleAlert: (id, firedAt, rowCount, rows) =>
      guard('refreshRuleAlert', () => refreshRuleAlert(driver, id, firedAt, rowCount, rows)),
    clearRuleAlert: (id, clearedAt) => guard('clearRuleAlert', () => clearRuleAlert(driver, id, clearedAt)),
    dismissRuleAlert: (id, dismissedAt, by) =>
      guard('dismissRuleAlert', () => dismissRuleAlert(driver, id, dismissedAt, by)),
    getRuleAlert: (id) => guard('getRuleAlert', () => getRuleAlert(driver, id)),
    listRuleAlerts: (filter) => guard('listRuleAlerts', () => listRuleAlerts(driver, filter)),
    recordWebhookAttempt: (attempt) =>
      guard('recordWebhookAttempt', () => recordWebhookAttempt(driver, attempt)),
    listWebhookAttempts: (ruleId, limit) =>
      guard('listWebhookAttempts', () => listWebhookAttempts(driver, ruleId, limit)),
  };
}

/** The ValidationRecords role over the driver, each method guarded like the others. */
function validationRecords(driver: Driver, guard: Guard): ValidationRecords {
  return {
    insertValidation: (record, actions) =>
      guard('insertValidation', () => insertValidation(driver, record, actions)),
    listValidations: (limit) => guard('listValidations', () => listValidations(driver, limit)),
    getValidation: (id) => guard('getValidation', () => getValidation(driver, id)),
    listValidationActions: (id) => guard('listValidationActions', () => listValidationActions(driver, id)),
    getValidationAction: (validationId, actionId) =>
      guard('getValidationAction', () => getValidationAction(driver, validationId, actionId)),
    listPendingPolls: () => guard('listPendingPolls', () => listPendingPolls(driver)),
    recordValidationPoll: (validationId, actionId, update) =>
      guard('recordValidationPoll', () => recordValidationPoll(driver, validationId, actionId, update)),
    latestVerdicts: (filter = {}) => guard('latestVerdicts', () => latestVerdicts(driver, filter)),
  };
}

/** The MonitorRecords role over the driver, each method guarded like the others. */
function monitorRecords(driver: Driver, guard: Guard): MonitorRecords {
  return {
    insertMonitor: (record) => guard('insertMonitor', () => insertMonitor(driver, record)),
    listMonitors: () => guard('listMonitors', () => listMonitors(driver)),
    findMonitor: (reference) => guard('findMonitor', () => findMonitor(driver, reference)),
    deleteMonitor: (id) => guard('deleteMonitor', () => deleteMonitor(driver, id)),
    insertMonitorRun: (record) => guard('insertMonitorRun', () => insertMonitorRun(driver, record)),
    setMonitorRunValidations: (runId, ids) =>
      guard('setMonitorRunValidations', () => setMonitorRunValidations(driver, runId, ids)),
    listMonitorRuns: (monitorId, limit) =>
      guard('listMonitorRuns', () => listMonitorRuns(driver, monitorId, limit)),
    listRunningMonitorRuns: () => guard('listRunningMonitorRuns', () => listRunningMonitorRuns(driver)),
    completeMonitorRun: (runId, result, drift) =>
      guard('completeMonitorRun', () => completeMonitorRun(driver, runId, result, drift)),
    listDrift: (monitorId) => guard('listDrift', () => listDrift(driver, monitorId)),
    dismissDrift: (id, at) => guard('dismissDrift', () => dismissDrift(driver, id, at)),
  };
}
