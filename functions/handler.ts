// Placeholder until the S3 publishing issue lands: the CDK stack bundles this entry.
export const handler = async (): Promise<{ published: number }> => ({ published: 0 });
