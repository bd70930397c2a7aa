// Each category in words a seven-year-old reads ("It is a ... website."), for the pupil voice of
// the block page. A category missing here gets the general sentence: never its technical title.
export const CHILD_WORDS: Readonly<Record<string, string>> = {
  adult: 'It is a website for grown-ups only.',
  bypass: 'It is a website that gets around the school’s safety settings.',
  chat: 'It is a website for chatting with people you do not know.',
  dating: 'It is a website for grown-ups only.',
  drugs: 'It is a website that is not safe for children.',
  extremism: 'It is a website that is not safe for children.',
  'file-hosting': 'It is a website for downloading files.',
  gambling: 'It is a website for betting money.',
  gaming: 'It is a website for games.',
  hate: 'It is a website that is unkind to people.',
  illegal: 'It is a website that is not safe for children.',
  malware: 'It is a website that could harm your computer.',
  piracy: 'It is a website for copying films, music or games.',
  'self-harm': 'It is a website that is not safe for children.',
  social: 'It is a social media website.',
  streaming: 'It is a website for videos or music.',
  videoconferencing: 'It is a website for video calls.',
  violence: 'It is a website that is not safe for children.',
};

export const CHILD_FALLBACK = 'It is not a website for school.';
