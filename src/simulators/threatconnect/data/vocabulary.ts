/** Word lists the ThreatConnect generators draw from, chosen to look like a real instance. */

export const organizationNames = [
  'Acme Corp',
  'Globex Security',
  'Initech',
  'Umbrella Holdings',
  'Hooli CERT',
  'Stark Industries',
  'Wayne Enterprises',
  'Tyrell Corporation',
] as const;

/**
 * Communities, in the order they are handed out. The first is always `Common Community`, the
 * owner the spec's worked examples (§2.4 rows 3 and 4) scope to.
 */
export const communityNames = [
  'Common Community',
  'Financial Services Sharing Group',
  'Healthcare Threat Exchange',
  'Energy Sector Community',
  'Retail Intelligence Circle',
  'Manufacturing ISAC',
  'Higher Education Community',
] as const;

export const sourceNames = [
  'Technical Blogs and Reports',
  'ThreatConnect Intelligence',
  'OSINT Feeds',
  'Malware Research Digest',
  'Honeypot Network',
  'Vulnerability Disclosures',
] as const;

/** The one existing owner the API user cannot access (403 `Access Denied`, never listed). */
export const inaccessibleOwnerName = 'Restricted Partner Exchange';

export const adversaryAdjectives = [
  'Crimson',
  'Silent',
  'Velvet',
  'Iron',
  'Copper',
  'Hollow',
  'Frozen',
  'Amber',
  'Obsidian',
  'Scarlet',
  'Quiet',
  'Gilded',
  'Shadow',
  'Cobalt',
  'Ashen',
  'Wandering',
] as const;

export const adversaryNouns = [
  'Jackal',
  'Heron',
  'Lynx',
  'Viper',
  'Badger',
  'Kestrel',
  'Marten',
  'Osprey',
  'Mantis',
  'Wolverine',
  'Cormorant',
  'Ibex',
  'Tarantula',
  'Condor',
  'Pike',
  'Hyena',
] as const;

/** Prefixes of designation-style adversary names (`APT 41`, `FIN12`, `UNC2452`, `TA505`). */
export const designationPrefixes = ['APT ', 'FIN', 'UNC', 'TA', 'DEV-0'] as const;

/** Threat names; `{sector}` and `{region}` are filled in. */
export const threatTemplates = [
  'Spearphishing campaign against {sector}',
  'Credential harvesting targeting {sector}',
  'Ransomware operation in {region}',
  'Web shell deployment on {sector} servers',
  'Supply chain intrusion affecting {sector}',
  'Data theft from {sector} networks',
  'Destructive wiper activity in {region}',
  'Cloud account takeover against {sector}',
  'Cryptomining on exposed {sector} hosts',
  'Espionage campaign in {region}',
] as const;

export const sectors = [
  'finance',
  'healthcare',
  'energy',
  'retail',
  'government',
  'telecommunications',
  'manufacturing',
  'education',
  'defense contractors',
  'logistics',
] as const;

export const regions = [
  'Western Europe',
  'North America',
  'Southeast Asia',
  'the Middle East',
  'Latin America',
  'Eastern Europe',
  'East Asia',
] as const;

/** Ordinary (owner-scoped) tags; none of them looks like an ATT&CK technique id. */
export const ordinaryTags = [
  'APT',
  'Espionage',
  'Financially Motivated',
  'Ransomware',
  'Nation State',
  'Finance',
  'Healthcare',
  'Energy',
  'Critical Infrastructure',
  'Phishing Campaign',
  'Cloud',
  'Linux',
  'Windows',
  'Watchlist',
  'TLP:AMBER',
  'High Confidence',
] as const;

export const motivations = [
  'intellectual property theft',
  'financial gain',
  'long-term access to government networks',
  'disruption of critical services',
  'collection of personal data',
  'access to cryptocurrency wallets',
] as const;

export const reportSources = [
  'https://reports.example.org/threat-research',
  'https://blog.example.net/intel',
  'Internal incident response engagement',
  'Partner community submission',
  'Vendor advisory',
] as const;

export const analystNames = [
  ['Avery', 'Chen'],
  ['Jordan', 'Patel'],
  ['Morgan', 'Rivera'],
  ['Riley', 'Novak'],
  ['Casey', 'Okafor'],
  ['Quinn', 'Larsen'],
] as const;
