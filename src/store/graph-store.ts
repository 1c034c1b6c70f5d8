import { randomUUID } from 'node:crypto';
import type { Driver } from './driver.ts';
import { migrate } from './migrate.ts';
import { listChanges, recordChanges } from './operations/changes.ts';
import { clearSeen, deleteUnseen } from './operations/deleteUnseen.ts';
import {
  deleteIntegration,
  findIntegration,
  insertIntegration,
  listIntegrations,
  updateIntegration,
} from './operations/integrations.ts';
import {
  countByType,
  getEntity,
  getRelationship,
  listEntities,
  relationshipsOf,
} from './operations/readGraph.ts';
import { createRun, finishRun, getRun, listRuns } from './operations/runs.ts';
import { listSteps, recordStep } from './operations/steps.ts';
import { writeEntities } from './operations/writeEntities.ts';
import { writeRelationships } from './operations/writeRelationships.ts';
import { runQuery } from './query/run.ts';
import { type StoreLocation, toStoreError } from './store-error.ts';
import type { GraphStore } from './types.ts';

/**
 * The GraphStore over a driver: each method is one operation module, and every failure leaves
 * as `STORE_ERROR` naming the operation (coded errors such as `NOT_FOUND` pass through).
 * `newRunId` is injectable for tests; it defaults to random UUIDs.
 */
export function createGraphStore(
  driver: Driver,
  location: StoreLocation,
  newRunId: () => string = randomUUID,
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
    close: () => guard('close', () => driver.close()),
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
  };
}
