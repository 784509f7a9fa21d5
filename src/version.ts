/**
 * The package version (`ml-lens --version`, the tool version of reviews), in a module of its own so
 * that the App can read it without importing the command line.
 */
import { existsSync, readFileSync } from 'node:fs';

let cachedVersion: string | undefined;
/** The package version, from package.json one level above this file (src/ or dist/). */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const url = new URL('../package.json', import.meta.url);
    cachedVersion = existsSync(url) ? ((JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}
