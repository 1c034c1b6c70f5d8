import { describe, expect, it } from 'vitest';
import { VigilError } from '../../errors.ts';
import { threatStackScriptsEnv } from './scripts-config.ts';

/** The layout of threatstack-api-scripts' threatstack.cfg.sample, with a named section. */
const sample = `# Threat Stack API scripts
[USER_INFO]
TS_USER_ID = "user-1"
TS_API_KEY = 'key-with-=-inside'

[DEFAULT]
TS_ORGANIZATION_ID = org-default
TS_ORGANIZATION_NAME = "Default Org"

; staging keeps the default name
[STAGING]
TS_ORGANIZATION_ID: org-staging
`;

function codeOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('threatStackScriptsEnv (issue 10 item 12)', () => {
  it('reads [USER_INFO] and [DEFAULT], quotes stripped', () => {
    expect(threatStackScriptsEnv(sample)).toEqual({
      TS_USER_ID: 'user-1',
      TS_API_KEY: 'key-with-=-inside',
      TS_ORGANIZATION_ID: 'org-default',
      TS_ORGANIZATION_NAME: 'Default Org',
    });
  });

  it('reads a named section, falling back on [DEFAULT] as configparser does', () => {
    const env = threatStackScriptsEnv(sample, { section: 'STAGING' });
    expect(env.TS_ORGANIZATION_ID).toBe('org-staging');
    expect(env.TS_ORGANIZATION_NAME).toBe('Default Org');
  });

  it('names a missing section and lists the known ones', () => {
    const error = codeOf(() => threatStackScriptsEnv(sample, { section: 'PROD' }));
    expect(error).toEqual({ code: 'CONFIG_INVALID', message: 'threatstack.cfg has no section [PROD].' });
  });

  it('names every missing key with its section', () => {
    const error = codeOf(() => threatStackScriptsEnv('[USER_INFO]\nTS_USER_ID = u\n[DEFAULT]\n'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'threatstack.cfg lacks TS_API_KEY in [USER_INFO], TS_ORGANIZATION_ID in [DEFAULT], TS_ORGANIZATION_NAME in [DEFAULT].',
    );
  });

  it('takes the sample file’s <> placeholders for missing values', () => {
    const unfilled =
      '[USER_INFO]\nTS_USER_ID = <>\nTS_API_KEY = <>\n[DEFAULT]\nTS_ORGANIZATION_ID = <>\nTS_ORGANIZATION_NAME = "Production"\n';
    expect(codeOf(() => threatStackScriptsEnv(unfilled)).message).toBe(
      'threatstack.cfg lacks TS_USER_ID in [USER_INFO], TS_API_KEY in [USER_INFO], TS_ORGANIZATION_ID in [DEFAULT].',
    );
  });

  it('names the line of malformed input', () => {
    const error = codeOf(() =>
      threatStackScriptsEnv('[USER_INFO]\nTS_USER_ID = u\nnot a setting\n', { source: 'my.cfg' }),
    );
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toMatch(/^my\.cfg line 3 is not/);
    expect(codeOf(() => threatStackScriptsEnv('TS_USER_ID = u\n')).message).toMatch(
      /line 1 .*before any \[SECTION\]/,
    );
  });

  it('never puts the key in an error', () => {
    const error = codeOf(() => threatStackScriptsEnv('[USER_INFO]\nTS_API_KEY = secret-key-1\n[DEFAULT]\n'));
    expect(error.message).not.toContain('secret-key-1');
  });
});
