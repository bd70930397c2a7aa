// The school's logo in the header, when the school has added one. /logo answers 404 without one:
// the image stays hidden until it has loaded, so nothing broken ever shows. The settings page
// announces a change with LOGO_CHANGED, and the header fetches the new picture.
import { useEffect, useState } from 'preact/hooks';

export const LOGO_CHANGED = 'schoolgate-logo-changed';

export const logoUrl = (version: number) => (version === 0 ? '/logo' : `/logo?v=${version}`);

export function SchoolLogo() {
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    const bump = () => { setLoaded(false); setVersion((v) => v + 1); };
    window.addEventListener(LOGO_CHANGED, bump);
    return () => window.removeEventListener(LOGO_CHANGED, bump);
  }, []);
  // Decorative: the school's name is beside it.
  return <img key={version} class="school-logo" src={logoUrl(version)} alt="" hidden={!loaded} onLoad={() => setLoaded(true)} />;
}
