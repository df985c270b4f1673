// pfWords: the #PF error code in words, the one text the debugger and vmlab run print.
import { describe, expect, it } from 'vitest';
import { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W, pfWords } from '../../../emu/machine/trap';

describe('pfWords', () => {
  it('names presence, the access and the mode, then RSVD and PK when set (SDM vol. 3, 4.7)', () => {
    expect(pfWords(0)).toBe('not-present read kernel');
    expect(pfWords(PF_W | PF_U)).toBe('not-present write user');
    expect(pfWords(PF_P | PF_I | PF_U)).toBe('protection fetch user');
    expect(pfWords(PF_P | PF_W | PF_U | PF_PK)).toBe('protection write user pkey');
    expect(pfWords(PF_P | PF_RSVD)).toBe('protection read kernel reserved-bit');
    expect(pfWords(PF_P | PF_RSVD | PF_PK)).toBe('protection read kernel reserved-bit pkey');
  });
});
