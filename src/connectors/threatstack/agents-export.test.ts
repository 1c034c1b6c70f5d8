import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  agentRow,
  csvLine,
  exportFileName,
  getAllAgentsHeader,
  neutralizeFormula,
  pythonRepr,
} from './agents-export.ts';

const agent = JSON.parse(readFileSync('test/fixtures/threatstack-agent.json', 'utf8')) as Record<
  string,
  unknown
>;

describe('GetAllAgents export format', () => {
  it('has the vendor script header (15 columns)', () => {
    expect(csvLine(getAllAgentsHeader)).toBe(
      'agentId,instanceId,status,CreatedAt,LastReportedAt,version,name,description,hostname,ipAddresses,tags,agentType,osVersion,kernel,isHealthy\r\n',
    );
  });

  it('writes Python reprs the way the script does', () => {
    expect(pythonRepr(['a', "it's", 'q"uote'])).toBe(`['a', "it's", 'q"uote']`);
    expect(pythonRepr({ source: 'ec2', ok: true, n: null })).toBe(`{'source': 'ec2', 'ok': True, 'n': None}`);
  });

  it('formats one agent: loopback addresses dropped, link-local ignored, isHealthy from agentModuleHealth', () => {
    const row = agentRow(agent);
    expect(row.unexpected).toEqual([]);
    expect(row.cells).toHaveLength(15);
    expect(row.cells[9]).toBe("['10.0.1.15/24', '54.12.34.56/32']");
    expect(row.cells[10]).toBe(
      `[{'source': 'ec2', 'key': 'Name', 'value': 'web-01'}, {'source': 'ec2', 'key': 'Owner', 'value': "O'Brien"}]`,
    );
    expect(row.cells[14]).toBe('True');
    expect(csvLine(row.cells)).toContain(",\"[{'source': 'ec2'");
    expect(agentRow({ ...agent, agentModuleHealth: null }).cells[14]).toBe('');
    expect(agentRow({ ...agent, extra: 1 }).unexpected).toEqual([['extra', 1]]);
  });

  it('drops exactly the strings the script drops, in the API key order the script walks', () => {
    const ipAddresses = {
      public: ['54.1.2.3/32'],
      link_local: ['fe80::1/64'],
      private: ['127.0.0.1/8', '::1/128'],
    };
    expect(agentRow({ ipAddresses }).cells[9]).toBe("['54.1.2.3/32']");
    // Bare loopback addresses (older agents) are not the script's special cases: it keeps them.
    expect(agentRow({ ipAddresses: { private: ['127.0.0.1', '10.0.0.1'], public: null } }).cells[9]).toBe(
      "['127.0.0.1', '10.0.0.1']",
    );
  });

  it('writes each cell by its column name: a missing key leaves its cell empty and shifts nothing', () => {
    const { instanceId: _dropped, ...withoutInstance } = agent;
    const full = agentRow(agent).cells;
    const row = agentRow(withoutInstance).cells;
    expect(row).toHaveLength(15);
    expect(row[1]).toBe('');
    expect(row.slice(2)).toEqual(full.slice(2));
    expect(row[0]).toBe(full[0]);
    // Key order in the API answer does not move cells either.
    const reversed = Object.fromEntries(Object.entries(agent).reverse());
    expect(agentRow(reversed).cells).toEqual(full);
  });

  it("neutralizes spreadsheet formulas with a leading ' (OWASP), unless raw", () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(neutralizeFormula(`${start}HYPERLINK("x")`)).toBe(`'${start}HYPERLINK("x")`);
    }
    expect(neutralizeFormula('web-01')).toBe('web-01');
    expect(neutralizeFormula('')).toBe('');
    const hostile = { ...agent, name: '=cmd|"/c calc"!A1', hostname: '@SUM(1+1)' };
    expect(agentRow(hostile).cells[6]).toBe(`'=cmd|"/c calc"!A1`);
    expect(agentRow(hostile).cells[8]).toBe("'@SUM(1+1)");
    expect(agentRow(hostile, { raw: true }).cells[6]).toBe('=cmd|"/c calc"!A1');
    expect(csvLine(agentRow(hostile).cells)).toContain(`"'=cmd|""/c calc""!A1"`);
  });

  it('names the file agents-<Org>-<local date>', () => {
    expect(exportFileName('"Acme Production"', new Date(2024, 4, 1, 23, 30), 'csv')).toBe(
      'agents-AcmeProduction-2024-05-01.csv',
    );
  });

  it('keeps only [A-Za-z0-9] of the organization name, as the vendor script does', () => {
    expect(exportFileName('Café Ünïcode', new Date(2026, 11, 2), 'csv')).toBe(
      'agents-Cafncode-2026-12-02.csv',
    );
  });
});
