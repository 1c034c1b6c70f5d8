/**
 * The simulator's own small vocabulary of real MITRE ATT&CK Enterprise techniques and
 * sub-techniques (it must not share the program's catalogue: simulators share nothing with the
 * client but the spec). Names are the current ATT&CK names; a sub-technique's name is
 * `<Parent>: <Sub>`, as ThreatConnect renders ATT&CK tags (spec §6.5). `tactic` is the
 * abbreviation the legacy tag style uses (`T1566 - Phishing - INI - ENT - ATT&CK`).
 */

export type LegacyTactic =
  | 'INI'
  | 'EXE'
  | 'PER'
  | 'PRI'
  | 'DEF'
  | 'CRA'
  | 'DIS'
  | 'LAT'
  | 'COL'
  | 'C&C'
  | 'EXF'
  | 'IMP';

export interface AttackTechnique {
  id: string;
  name: string;
  tactic: LegacyTactic;
}

const rows: ReadonlyArray<readonly [string, string, LegacyTactic]> = [
  ['T1566', 'Phishing', 'INI'],
  ['T1566.001', 'Phishing: Spearphishing Attachment', 'INI'],
  ['T1566.002', 'Phishing: Spearphishing Link', 'INI'],
  ['T1566.003', 'Phishing: Spearphishing via Service', 'INI'],
  ['T1190', 'Exploit Public-Facing Application', 'INI'],
  ['T1133', 'External Remote Services', 'INI'],
  ['T1078', 'Valid Accounts', 'INI'],
  ['T1078.004', 'Valid Accounts: Cloud Accounts', 'INI'],
  ['T1189', 'Drive-by Compromise', 'INI'],
  ['T1195.002', 'Supply Chain Compromise: Compromise Software Supply Chain', 'INI'],
  ['T1199', 'Trusted Relationship', 'INI'],
  ['T1059', 'Command and Scripting Interpreter', 'EXE'],
  ['T1059.001', 'Command and Scripting Interpreter: PowerShell', 'EXE'],
  ['T1059.003', 'Command and Scripting Interpreter: Windows Command Shell', 'EXE'],
  ['T1059.004', 'Command and Scripting Interpreter: Unix Shell', 'EXE'],
  ['T1059.005', 'Command and Scripting Interpreter: Visual Basic', 'EXE'],
  ['T1059.006', 'Command and Scripting Interpreter: Python', 'EXE'],
  ['T1059.007', 'Command and Scripting Interpreter: JavaScript', 'EXE'],
  ['T1203', 'Exploitation for Client Execution', 'EXE'],
  ['T1204.001', 'User Execution: Malicious Link', 'EXE'],
  ['T1204.002', 'User Execution: Malicious File', 'EXE'],
  ['T1047', 'Windows Management Instrumentation', 'EXE'],
  ['T1053.003', 'Scheduled Task/Job: Cron', 'EXE'],
  ['T1053.005', 'Scheduled Task/Job: Scheduled Task', 'EXE'],
  ['T1569.002', 'System Services: Service Execution', 'EXE'],
  ['T1106', 'Native API', 'EXE'],
  ['T1547.001', 'Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder', 'PER'],
  ['T1543.003', 'Create or Modify System Process: Windows Service', 'PER'],
  ['T1136.001', 'Create Account: Local Account', 'PER'],
  ['T1098', 'Account Manipulation', 'PER'],
  ['T1505.003', 'Server Software Component: Web Shell', 'PER'],
  ['T1546.003', 'Event Triggered Execution: Windows Management Instrumentation Event Subscription', 'PER'],
  ['T1068', 'Exploitation for Privilege Escalation', 'PRI'],
  ['T1055', 'Process Injection', 'PRI'],
  ['T1055.001', 'Process Injection: Dynamic-link Library Injection', 'PRI'],
  ['T1055.012', 'Process Injection: Process Hollowing', 'PRI'],
  ['T1548.002', 'Abuse Elevation Control Mechanism: Bypass User Account Control', 'PRI'],
  ['T1134', 'Access Token Manipulation', 'PRI'],
  ['T1027', 'Obfuscated Files or Information', 'DEF'],
  ['T1027.002', 'Obfuscated Files or Information: Software Packing', 'DEF'],
  ['T1140', 'Deobfuscate/Decode Files or Information', 'DEF'],
  ['T1070.001', 'Indicator Removal: Clear Windows Event Logs', 'DEF'],
  ['T1070.004', 'Indicator Removal: File Deletion', 'DEF'],
  ['T1112', 'Modify Registry', 'DEF'],
  ['T1218.005', 'System Binary Proxy Execution: Mshta', 'DEF'],
  ['T1218.011', 'System Binary Proxy Execution: Rundll32', 'DEF'],
  ['T1562.001', 'Impair Defenses: Disable or Modify Tools', 'DEF'],
  ['T1553.002', 'Subvert Trust Controls: Code Signing', 'DEF'],
  ['T1497', 'Virtualization/Sandbox Evasion', 'DEF'],
  ['T1003', 'OS Credential Dumping', 'CRA'],
  ['T1003.001', 'OS Credential Dumping: LSASS Memory', 'CRA'],
  ['T1003.003', 'OS Credential Dumping: NTDS', 'CRA'],
  ['T1110', 'Brute Force', 'CRA'],
  ['T1110.003', 'Brute Force: Password Spraying', 'CRA'],
  ['T1555.003', 'Credentials from Password Stores: Credentials from Web Browsers', 'CRA'],
  ['T1056.001', 'Input Capture: Keylogging', 'CRA'],
  ['T1558.003', 'Steal or Forge Kerberos Tickets: Kerberoasting', 'CRA'],
  ['T1552.001', 'Unsecured Credentials: Credentials In Files', 'CRA'],
  ['T1082', 'System Information Discovery', 'DIS'],
  ['T1083', 'File and Directory Discovery', 'DIS'],
  ['T1057', 'Process Discovery', 'DIS'],
  ['T1016', 'System Network Configuration Discovery', 'DIS'],
  ['T1018', 'Remote System Discovery', 'DIS'],
  ['T1087.002', 'Account Discovery: Domain Account', 'DIS'],
  ['T1069.002', 'Permission Groups Discovery: Domain Groups', 'DIS'],
  ['T1046', 'Network Service Discovery', 'DIS'],
  ['T1033', 'System Owner/User Discovery', 'DIS'],
  ['T1518.001', 'Software Discovery: Security Software Discovery', 'DIS'],
  ['T1021.001', 'Remote Services: Remote Desktop Protocol', 'LAT'],
  ['T1021.002', 'Remote Services: SMB/Windows Admin Shares', 'LAT'],
  ['T1021.004', 'Remote Services: SSH', 'LAT'],
  ['T1570', 'Lateral Tool Transfer', 'LAT'],
  ['T1550.002', 'Use Alternate Authentication Material: Pass the Hash', 'LAT'],
  ['T1005', 'Data from Local System', 'COL'],
  ['T1560.001', 'Archive Collected Data: Archive via Utility', 'COL'],
  ['T1113', 'Screen Capture', 'COL'],
  ['T1114.002', 'Email Collection: Remote Email Collection', 'COL'],
  ['T1074.001', 'Data Staged: Local Data Staging', 'COL'],
  ['T1119', 'Automated Collection', 'COL'],
  ['T1071.001', 'Application Layer Protocol: Web Protocols', 'C&C'],
  ['T1071.004', 'Application Layer Protocol: DNS', 'C&C'],
  ['T1105', 'Ingress Tool Transfer', 'C&C'],
  ['T1573.002', 'Encrypted Channel: Asymmetric Cryptography', 'C&C'],
  ['T1090.003', 'Proxy: Multi-hop Proxy', 'C&C'],
  ['T1102', 'Web Service', 'C&C'],
  ['T1572', 'Protocol Tunneling', 'C&C'],
  ['T1041', 'Exfiltration Over C2 Channel', 'EXF'],
  ['T1567.002', 'Exfiltration Over Web Service: Exfiltration to Cloud Storage', 'EXF'],
  [
    'T1048.003',
    'Exfiltration Over Alternative Protocol: Exfiltration Over Unencrypted Non-C2 Protocol',
    'EXF',
  ],
  ['T1020', 'Automated Exfiltration', 'EXF'],
  ['T1486', 'Data Encrypted for Impact', 'IMP'],
  ['T1490', 'Inhibit System Recovery', 'IMP'],
  ['T1489', 'Service Stop', 'IMP'],
  ['T1485', 'Data Destruction', 'IMP'],
  ['T1491.001', 'Defacement: Internal Defacement', 'IMP'],
  ['T1496', 'Resource Hijacking', 'IMP'],
  ['T1498', 'Network Denial of Service', 'IMP'],
  ['T1499.004', 'Endpoint Denial of Service: Application or System Exploitation', 'IMP'],
];

export const attackTechniques: readonly AttackTechnique[] = rows.map(([id, name, tactic]) => ({
  id,
  name,
  tactic,
}));

const byId = new Map(attackTechniques.map((t) => [t.id, t]));
const byName = new Map(attackTechniques.map((t) => [t.name, t]));

/** The technique with this id (throws for an id outside the vocabulary: a generator bug). */
export function techniqueById(id: string): AttackTechnique {
  const technique = byId.get(id);
  if (!technique) throw new Error(`technique ${id} is not in the simulator's vocabulary`);
  return technique;
}

/** The technique whose ATT&CK name (without the id, e.g. `Phishing`) is exactly `name`, if any. */
export function techniqueNamed(name: string): AttackTechnique | undefined {
  return byName.get(name);
}
