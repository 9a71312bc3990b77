/**
 * The network options of a Syncthing home we manage, written into its config.xml before
 * Syncthing starts (pure text edit): only then does `--no-discovery` mean that nothing is
 * ever announced and no default port is ever bound, not even for the second before the
 * REST API could change it. config.xml is written by Syncthing itself in a fixed form
 * (one element per line inside `<options>`), which is all this edit relies on; the
 * options are checked again over the REST API once it runs.
 */
import { optionsPatch, type NetworkOptions } from './folder-config.js';

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Element name in config.xml of each REST option we set (they differ only for the listen addresses). */
const ELEMENT: Record<string, string> = { listenAddresses: 'listenAddress' };

export function patchConfigXml(xml: string, o: NetworkOptions): string {
  const open = xml.indexOf('<options>') + '<options>'.length;
  const close = xml.indexOf('</options>');
  if (open < '<options>'.length || close < open) throw new Error('config.xml has no <options> section');
  const section = xml.slice(open, close);
  // The whitespace before </options> stays where it is; elements go before it.
  const closingIndent = /[ \t]*$/.exec(section)![0];
  let body = section.slice(0, section.length - closingIndent.length);
  const indent = /\n([ \t]+)</.exec(body)?.[1] ?? closingIndent + '    ';
  for (const [key, value] of Object.entries(optionsPatch(o))) {
    const el = ELEMENT[key] ?? key;
    body = body.replace(new RegExp(`[ \\t]*<${el}(?:\\s[^>]*)?(?:/>|>[^<]*</${el}>)[ \\t]*\\r?\\n?`, 'g'), '');
    for (const v of Array.isArray(value) ? value : [value]) {
      if (!body.endsWith('\n')) body += '\n';
      body += `${indent}<${el}>${xmlText(String(v))}</${el}>\n`;
    }
  }
  return xml.slice(0, open) + body + closingIndent + xml.slice(close);
}

/** The listen addresses config.xml holds now (`default` in a fresh home). */
export function listenAddressesOf(xml: string): string[] {
  const open = xml.indexOf('<options>');
  const close = xml.indexOf('</options>');
  if (open < 0 || close < open) return [];
  const body = xml.slice(open, close);
  return [...body.matchAll(/<listenAddress>([^<]*)<\/listenAddress>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
}
