/** One JSON object per line: CloudWatch Logs Insights can filter on any field. */
export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export const jsonLog: Log = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'info') console.log(line);
  else console.error(line);
};
