import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIrcLine, splitFrame, unescapeTagValue } from '../../app/archive/irc-parse.js';

describe('unescapeTagValue', () => {
  it('unescapes the IRCv3 escapes', () => {
    expect(unescapeTagValue('a\\sb\\:c\\\\d\\re\\nf')).toBe('a b;c\\d\re\nf');
  });
  it('takes an unknown escape as the character itself', () => {
    expect(unescapeTagValue('\\a\\b\\x')).toBe('abx');
  });
  it('drops a trailing backslash', () => {
    expect(unescapeTagValue('abc\\')).toBe('abc');
    expect(unescapeTagValue('\\')).toBe('');
  });
  it('leaves plain values alone', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('\\')),
        (s) => unescapeTagValue(s) === s,
      ),
    );
  });
});

describe('parseIrcLine', () => {
  it('parses a full Twitch PRIVMSG', () => {
    const l = parseIrcLine(
      '@badge-info=;color=#8A2BE2;display-name=A\\sB;emote-only;flags=;tmi-sent-ts=1704557984095 :purple_geco!purple_geco@purple_geco.tmi.twitch.tv PRIVMSG #nymn :forsenParty EDM: yes  ',
    );
    expect(l).toEqual({
      command: 'PRIVMSG',
      params: ['#nymn', 'forsenParty EDM: yes  '],
      sender: 'purple_geco',
      user: 'purple_geco',
      host: 'purple_geco.tmi.twitch.tv',
      tags: {
        'badge-info': '',
        color: '#8A2BE2',
        'display-name': 'A B',
        'emote-only': true,
        flags: '',
        'tmi-sent-ts': '1704557984095',
      },
    });
  });
  it('distinguishes valueless tags (true) from empty ones ("")', () => {
    expect(parseIrcLine('@a;b=;c=1 PING')?.tags).toEqual({ a: true, b: '', c: '1' });
  });
  it('ignores empty tag slots and takes the last of duplicate keys', () => {
    expect(parseIrcLine('@a=1;;a=2; PING')?.tags).toEqual({ a: '2' });
  });
  it('keeps escapes in tag values to the SPEC', () => {
    expect(parseIrcLine('@msg=line1\\nline2\\r\\:\\s\\\\\\q\\ :tmi.twitch.tv NOTICE #c :x')?.tags).toEqual({
      msg: 'line1\nline2\r; \\q',
    });
  });
  it('has null tags when the line has none', () => {
    expect(parseIrcLine(':tmi.twitch.tv CLEARCHAT #c')?.tags).toBeNull();
  });
  it('splits prefixes with and without user and host', () => {
    expect(parseIrcLine(':tmi.twitch.tv ROOMSTATE #c')).toMatchObject({
      sender: 'tmi.twitch.tv',
      user: null,
      host: null,
    });
    expect(parseIrcLine(':nick@host.example JOIN #c')).toMatchObject({
      sender: 'nick',
      user: null,
      host: 'host.example',
    });
    expect(parseIrcLine(':nick!user JOIN #c')).toMatchObject({ sender: 'nick', user: 'user', host: null });
    expect(parseIrcLine(':a!b@c@d JOIN #c')).toMatchObject({ sender: 'a', user: 'b@c', host: 'd' });
    expect(parseIrcLine('PING :tmi.twitch.tv')).toMatchObject({
      sender: null,
      user: null,
      host: null,
      params: ['tmi.twitch.tv'],
    });
  });
  it('keeps trailing params with spaces and colons verbatim', () => {
    expect(parseIrcLine(':n!n@n PRIVMSG #c ::) a :b  c ')?.params).toEqual(['#c', ':) a :b  c ']);
    expect(parseIrcLine(':n!n@n PRIVMSG #c :')?.params).toEqual(['#c', '']);
    expect(parseIrcLine(':tmi.twitch.tv 353 justinfan1 = #c :a b c')?.params).toEqual([
      'justinfan1',
      '=',
      '#c',
      'a b c',
    ]);
  });
  it('keeps text beyond U+FFFF', () => {
    const text = 'hi 👋🏽 \u{E0000}';
    expect(parseIrcLine(`:n!n@n PRIVMSG #c :${text}`)?.params[1]).toBe(text);
    expect(parseIrcLine(`@emoji=😀 :n!n@n PRIVMSG #c :x`)?.tags).toEqual({ emoji: '😀' });
  });
  it('upper-cases commands and accepts numerics', () => {
    expect(parseIrcLine('privmsg #c :x')?.command).toBe('PRIVMSG');
    expect(parseIrcLine(':tmi.twitch.tv 001 justinfan1 :Welcome')?.command).toBe('001');
  });
  it('rejects malformed lines', () => {
    for (const bad of [
      '',
      '   ',
      '@a=1',
      '@a=1 ',
      ':prefix',
      ':prefix ',
      ': PRIVMSG #c',
      'PRIV-MSG #c',
      '12 x',
      '1234 x',
      '@a=1 :p',
      ':p 12a',
    ])
      expect(parseIrcLine(bad), JSON.stringify(bad)).toBeNull();
  });
  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        parseIrcLine(s);
      }),
    );
  });
});

describe('splitFrame', () => {
  it('splits on CRLF without trimming', () => {
    expect(splitFrame('a  \r\nb \r\n')).toEqual(['a  ', 'b ']);
    expect(splitFrame('a\r\nb')).toEqual(['a', 'b']);
    expect(splitFrame('a\nb\r\n')).toEqual(['a\nb']);
    expect(splitFrame('')).toEqual([]);
  });
});
