// Global setup of every test project: build the netio addon the DNS listeners use, as
// `npm run build` does. Without a C compiler the suite stops here and says so, rather than
// passing with only the dgram fallback tested.
import { buildNative } from '../../scripts/build-native.ts';

export default function setup(): void {
  const result = buildNative();
  if (!result.built) throw new Error(`the netio addon cannot be built: ${result.reason}`);
}
