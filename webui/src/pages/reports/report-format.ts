// Numbers as the Reports page prints them: a share as a percentage, a missing record said in words.
export const percent = (share: number | null): string => (share === null ? '–' : `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`);
export const count = (n: number): string => n.toLocaleString('en-GB');
export const NOT_RECORDED = 'Not recorded yet';
/** An outcome code ("spoke-to-pupil") as words. */
export const words = (code: string): string => code.replaceAll('-', ' ');
