/**
 * `threatstack.cfg`, the INI file of the vendor's threatstack-api-scripts: `[USER_INFO]` holds
 * `TS_USER_ID` and `TS_API_KEY`; `[DEFAULT]` and named sections (`[STAGING]`) hold
 * `TS_ORGANIZATION_ID` and `TS_ORGANIZATION_NAME`. Read as Python's configparser reads it: keys
 * of `[DEFAULT]` are the fallback of every section, `#` and `;` start comment lines, and values
 * may be quoted (the quotes are stripped, as the scripts do). Pure: text in, record out.
 */
import { VigilError } from '../../errors.ts';

type Sections = Map<string, Map<string, string>>;

const sectionLine = /^\[([^\]]+)\]\s*$/;
const entryLine = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/;

function unquote(value: string): string {
  const match = /^(["'])(.*)\1$/.exec(value);
  return match?.[2] ?? value;
}

/** The sections of an INI text; INPUT_INVALID naming the line of anything else. */
export function parseIniSections(text: string, source = 'threatstack.cfg'): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = sectionLine.exec(line);
    if (section?.[1] !== undefined) {
      const name = section[1].trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      return;
    }
    const entry = entryLine.exec(line);
    if (entry?.[1] === undefined || current === undefined) {
      throw new VigilError(
        'INPUT_INVALID',
        `${source} line ${index + 1} is not a [SECTION] header, a KEY = value line or a # comment${current === undefined ? ' (a value before any [SECTION])' : ''}.`,
        { hint: 'See the vendor’s threatstack.cfg.sample for the layout.' },
      );
    }
    current.set(entry[1].trim().toUpperCase(), unquote((entry[2] ?? '').trim()));
  });
  return sections;
}

const userKeys = ['TS_USER_ID', 'TS_API_KEY'] as const;
const organizationKeys = ['TS_ORGANIZATION_ID', 'TS_ORGANIZATION_NAME'] as const;

/**
 * The `TS_*` variables a `threatstack.cfg` gives for one organization `section` (`DEFAULT` when
 * not given): the user from `[USER_INFO]`, the organization from `section` falling back on
 * `[DEFAULT]`, shaped as the environment the Threat Stack descriptor's `fromEnv` reads.
 * CONFIG_INVALID naming the section that is missing or every key that is.
 */
export function threatStackScriptsEnv(
  text: string,
  options: { section?: string | undefined; source?: string } = {},
): Record<string, string> {
  const source = options.source ?? 'threatstack.cfg';
  const sections = parseIniSections(text, source);
  const sectionName = options.section ?? 'DEFAULT';
  const defaults = sections.get('DEFAULT') ?? new Map<string, string>();
  const organization = sections.get(sectionName);
  if (organization === undefined && sectionName !== 'DEFAULT') {
    const known = [...sections.keys()].filter((name) => name !== 'USER_INFO' && name !== 'DEFAULT');
    throw new VigilError('CONFIG_INVALID', `${source} has no section [${sectionName}].`, {
      hint: known.length > 0 ? `Its sections: ${known.join(', ')}.` : 'Add it, or leave --section out.',
    });
  }
  const user = new Map([...defaults, ...(sections.get('USER_INFO') ?? [])]);
  const org = new Map([...defaults, ...(organization ?? [])]);
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const [keys, from, where] of [
    [userKeys, user, '[USER_INFO]'],
    [organizationKeys, org, `[${sectionName}]`],
  ] as const) {
    for (const key of keys) {
      const value = from.get(key);
      // `<>` is the placeholder of the vendor's threatstack.cfg.sample, a value never filled in.
      if (value === undefined || value === '' || value === '<>') missing.push(`${key} in ${where}`);
      else env[key] = value;
    }
  }
  if (missing.length > 0) {
    throw new VigilError('CONFIG_INVALID', `${source} lacks ${missing.join(', ')}.`, {
      hint: 'The vendor’s scripts read TS_USER_ID and TS_API_KEY from [USER_INFO], the organization from its section or [DEFAULT].',
    });
  }
  return env;
}
