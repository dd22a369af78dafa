// upstream plugins/helper.DefaultNormalizeScore: scales scores so the highest becomes maxPriority
// (integer division, as Go), optionally reversed so the lowest raw score ranks highest.

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: number[]): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxPriority);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const scaled = Math.trunc((maxPriority * (scores[i] as number)) / max);
    scores[i] = reverse ? maxPriority - scaled : scaled;
  }
}
