/** "Firefox 133 on Ubuntu": a person's name for a device, from its User-Agent header. */
import { UAParser } from 'ua-parser-js';

export function describeDevice(userAgent: string | null): string {
  if (userAgent === null || userAgent.trim() === '') return 'Unknown device';
  const { browser, os } = new UAParser(userAgent).getResult();
  const browserName = browser.name ? [browser.name, browser.version?.split('.')[0]].filter(Boolean).join(' ') : undefined;
  const osName = os.name ? [os.name, os.version].filter(Boolean).join(' ') : undefined;
  if (browserName && osName) return `${browserName} on ${osName}`;
  return browserName ?? osName ?? userAgent.slice(0, 60);
}
