// One place for the build's version, read from package.json so a release bumps it once.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
