import { z } from 'zod';

/**
 * Threat Stack API v2 objects, parsed once at the edge. Schemas are loose (unknown keys are
 * kept, so `rawData` is the vendor object) and tolerant where the spec says data varies
 * (null `instanceId`/`agentId`, bare or CIDR-suffixed IPs, missing optional fields).
 */
const optionalString = z.string().nullish();

export const agentSchema = z.looseObject({
  id: z.string().min(1),
  instanceId: optionalString,
  status: z.string(),
  createdAt: optionalString,
  lastReportedAt: optionalString,
  version: optionalString,
  name: optionalString,
  description: optionalString,
  hostname: optionalString,
  ipAddresses: z
    .looseObject({
      private: z.array(z.string()).nullish(),
      link_local: z.array(z.string()).nullish(),
      public: z.array(z.string()).nullish(),
    })
    .nullish(),
  tags: z
    .array(z.looseObject({ source: z.string().nullish(), key: z.string(), value: z.string().nullish() }))
    .nullish(),
  agentType: optionalString,
  osVersion: optionalString,
  kernel: optionalString,
  agentModuleHealth: z.looseObject({ isHealthy: z.boolean().nullish() }).nullish(),
});
export type TsAgent = z.infer<typeof agentSchema>;

export const ec2InstanceSchema = z.looseObject({
  id: z.string().min(1),
  instanceType: optionalString,
  privateIpAddress: optionalString,
  publicIpAddress: optionalString,
  privateDnsName: optionalString,
  publicDnsName: optionalString,
  region: optionalString,
  vpcId: optionalString,
  subnetId: optionalString,
  imageId: optionalString,
  state: optionalString,
  launchTime: optionalString,
  monitored: z.boolean().nullish(),
  tags: z.array(z.looseObject({ Key: z.string().nullish(), Value: z.string().nullish() })).nullish(),
});
export type TsEc2Instance = z.infer<typeof ec2InstanceSchema>;

export const vulnerableServerSchema = z.looseObject({
  agentId: z.string().nullish(),
  hostname: optionalString,
});
export type TsVulnerableServer = z.infer<typeof vulnerableServerSchema>;

export const cveSchema = z.looseObject({
  cveNumber: z.string().min(1),
  reportedPackage: optionalString,
  systemPackage: optionalString,
  vectorType: optionalString,
  severity: optionalString,
  isSuppressed: z.boolean().nullish(),
  securityNotices: z.array(z.unknown()).nullish(),
  agents: z.array(vulnerableServerSchema).nullish(),
});
export type TsCve = z.infer<typeof cveSchema>;

export const alertSchema = z.looseObject({
  id: z.string().min(1),
  title: optionalString,
  dataSource: optionalString,
  createdAt: z.string(),
  isDismissed: z.boolean().nullish(),
  dismissedAt: optionalString,
  dismissReason: optionalString,
  dismissReasonText: optionalString,
  dismissedBy: optionalString,
  severity: z.coerce.number().int().min(1).max(3),
  agentId: optionalString,
  ruleId: optionalString,
  rulesetId: optionalString,
  aggregates: z.array(z.unknown()).nullish(),
});
export type TsAlert = z.infer<typeof alertSchema>;

export const alertEventSchema = z.looseObject({
  id: z.string(),
  timestamp: z.string(),
  eventType: z.string(),
  agentId: optionalString,
  hostname: optionalString,
  user: optionalString,
  exe: optionalString,
  command: optionalString,
  args: z.array(z.string()).nullish(),
  pid: z.number().nullish(),
  ppid: z.number().nullish(),
  srcIp: optionalString,
  dstIp: optionalString,
  dstPort: z.number().nullish(),
  filename: optionalString,
  syscall: optionalString,
  ruleId: optionalString,
  alertId: optionalString,
});
export type TsAlertEvent = z.infer<typeof alertEventSchema>;

/** A token-paginated page: `{"<key>": [...], "token": string | null}`. */
export function pageSchema<T extends z.ZodType>(key: string, item: T) {
  return z.looseObject({ [key]: z.array(item), token: z.string().nullish() });
}
