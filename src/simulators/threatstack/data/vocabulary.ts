/** Word lists the generators draw from, chosen to look like real Threat Stack organizations. */

export const operatingSystems = [
  { osVersion: 'amzn 2018.03', kernels: ['4.14.355-196.647.amzn1.x86_64', '4.14.336-180.566.amzn1.x86_64'] },
  { osVersion: 'amzn 2', kernels: ['5.10.228-219.884.amzn2.x86_64', '4.14.352-268.568.amzn2.x86_64'] },
  { osVersion: 'ubuntu 18.04', kernels: ['5.4.0-1103-aws', '4.15.0-1166-aws'] },
  { osVersion: 'ubuntu 20.04', kernels: ['5.15.0-1072-aws', '5.4.0-1128-aws'] },
  { osVersion: 'ubuntu 22.04', kernels: ['6.5.0-1024-aws', '5.15.0-1045-aws'] },
  { osVersion: 'centos 7', kernels: ['3.10.0-1160.119.1.el7.x86_64'] },
  { osVersion: 'rhel 8.6', kernels: ['4.18.0-372.9.1.el8.x86_64'] },
  { osVersion: 'debian 11', kernels: ['5.10.0-32-cloud-amd64'] },
] as const;

export const agentVersions = ['1.9.0', '2.1.3', '2.4.0', '2.6.1', '3.0.2'] as const;

export const hostRoles = [
  'web',
  'api',
  'worker',
  'db',
  'cache',
  'queue',
  'bastion',
  'k8s-node',
  'ci-runner',
  'etl',
  'search',
  'gateway',
] as const;

export const environments = ['prod', 'staging', 'dev', 'qa'] as const;

export const awsRegions = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1'] as const;

export const instanceTypes = [
  't3.medium',
  't3.large',
  'm5.large',
  'm5.xlarge',
  'c5.2xlarge',
  'r5.large',
] as const;

export const teams = ['platform', 'payments', 'identity', 'data', 'security'] as const;

/** Packages with versions and a distribution release suffix for `systemPackage`. */
export const vulnerablePackages = [
  { name: 'openssl', versions: ['1.0.2k', '1.1.1k', '3.0.2'] },
  { name: 'glibc', versions: ['2.17', '2.26', '2.31'] },
  { name: 'bash', versions: ['4.2.46', '5.0'] },
  { name: 'curl', versions: ['7.29.0', '7.61.1', '7.81.0'] },
  { name: 'sudo', versions: ['1.8.23', '1.9.5p2'] },
  { name: 'systemd', versions: ['219', '245.4', '249.11'] },
  { name: 'kernel', versions: ['4.14.336', '5.10.228', '5.15.0'] },
  { name: 'openssh', versions: ['7.4p1', '8.2p1', '8.9p1'] },
  { name: 'binutils', versions: ['2.25.1', '2.29.1', '2.34'] },
  { name: 'python3', versions: ['3.6.8', '3.8.10', '3.10.12'] },
  { name: 'libxml2', versions: ['2.9.1', '2.9.10'] },
  { name: 'nss', versions: ['3.44.0', '3.90.0'] },
  { name: 'polkit', versions: ['0.112', '0.105'] },
  { name: 'vim', versions: ['8.0.1763', '8.2.3995'] },
  { name: 'git', versions: ['2.17.1', '2.34.1'] },
  { name: 'zlib', versions: ['1.2.7', '1.2.11'] },
  { name: 'expat', versions: ['2.1.0', '2.2.9'] },
  { name: 'tzdata', versions: ['2023c', '2024a'] },
] as const;

export const distributionSuffixes = [
  'amzn2.0.4.x86_64',
  '31.base.66.amzn1.x86_64',
  'el7_9.x86_64',
  '0ubuntu0.20.04.3',
];

export const userNames = [
  'root',
  'ubuntu',
  'ec2-user',
  'www-data',
  'deploy',
  'postgres',
  'jenkins',
  'nobody',
];

export const personNames = [
  'Avery Chen',
  'Jordan Patel',
  'Morgan Rivera',
  'Riley Novak',
  'Casey Okafor',
  'Quinn Larsen',
  'Dana Moreau',
  'Sam Iyer',
  'Alex Kowalski',
  'Taylor Brooks',
  'Jamie Sato',
  'Robin Haddad',
];
