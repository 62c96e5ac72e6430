// Milliseconds as decimal seconds, the unit people read in messages and that sleep, ping -i
// and JUnit's time attribute take.
export function seconds(ms: number, decimals = 3): string {
  return (ms / 1000).toFixed(decimals);
}
