import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText } from './html-escape.js';

describe('HTML escaping', () => {
  it('escapes markup in text so that no tag or entity survives', () => {
    expect(escapeText('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeText('</script><script>alert(1)</script>')).toBe('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // An ampersand first: "&lt;" typed by a user must stay the four characters it is.
    expect(escapeText('&lt; & &amp;')).toBe('&amp;lt; &amp; &amp;amp;');
    expect(escapeText(8472)).toBe('8472');
  });

  it('leaves quotes in text alone but escapes both quotes in attributes', () => {
    expect(escapeText(`it's "x"`)).toBe(`it's "x"`);
    expect(escapeAttribute(`a" onmouseover="alert(1)`)).toBe('a&quot; onmouseover=&quot;alert(1)');
    expect(escapeAttribute(`a' onfocus='x`)).toBe('a&#39; onfocus=&#39;x');
    expect(escapeAttribute('<b>&')).toBe('&lt;b&gt;&amp;');
  });

  it('leaves plain names and non-ASCII text unchanged', () => {
    for (const s of ['k8s-worker-0', 'sg-0a1b2c3d', '172.16.10.0/24', 'nœud-é-ü 节点']) {
      expect(escapeText(s)).toBe(s);
      expect(escapeAttribute(s)).toBe(s);
    }
  });
});
