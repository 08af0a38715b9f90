import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFs, openS3, stateBeside } from '../../functions/stores/open.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import type { Stores } from '../../functions/stores/store.ts';
import { listFiles, tempDir } from '../helpers/content.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { uniqueBucket } from '../helpers/s3-site.ts';

const TEXT = { contentType: 'text/plain; charset=utf-8' };

/** One object through each of the three stores, named for its store. */
async function putOneEach(stores: Stores): Promise<void> {
  await stores.content.put('from-content.txt', 'content', TEXT);
  await stores.site.put('from-site.txt', 'site', TEXT);
  await stores.state.put('from-state.txt', 'state', TEXT);
}

describe('the state when no place is given', () => {
  it.each([
    [
      { bucket: 'news-content', prefix: '' },
      { bucket: 'news-content', prefix: '.wirefeed/' },
    ],
    [
      { bucket: 'news-content', prefix: 'desk/' },
      { bucket: 'news-content', prefix: 'desk/.wirefeed/' },
    ],
  ])("is the content location's .wirefeed/ (%j)", (content, state) => {
    // Act / Assess
    expect(stateBeside(content)).toEqual(state);
  });
});

describe('the stores of a publish on S3', () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3Server();
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** Every key in a bucket, as S3 has it. */
  const keysIn = async (bucket: string) => (await new S3Store(server.client, bucket).list('')).map((info) => info.key);

  it('write where they are told, each under its prefix, and the state beside the content when it is not told', async () => {
    // Prepare
    const [shared, site] = [uniqueBucket('shared'), uniqueBucket('site')];
    for (const bucket of [shared, site]) await server.createBucket(bucket);

    // Act
    const stores = openS3(server.client, { content: { bucket: shared, prefix: 'desk/' }, site: { bucket: site, prefix: 'www/' } });
    await putOneEach(stores);

    // Assess
    expect(await keysIn(shared)).toEqual(['desk/.wirefeed/from-state.txt', 'desk/from-content.txt']);
    expect(await keysIn(site)).toEqual(['www/from-site.txt']);
    expect(stores.state.describe('head.json')).toBe(`s3://${shared}/desk/.wirefeed/head.json`);
  });

  it('keep the state in the place given for it', async () => {
    // Prepare
    const [content, site, state] = [uniqueBucket('content'), uniqueBucket('site'), uniqueBucket('state')];
    for (const bucket of [content, site, state]) await server.createBucket(bucket);

    // Act
    await putOneEach(openS3(server.client, { content: { bucket: content, prefix: '' }, site: { bucket: site, prefix: '' }, state: { bucket: state, prefix: 'private/' } }));

    // Assess
    expect(await keysIn(content)).toEqual(['from-content.txt']);
    expect(await keysIn(site)).toEqual(['from-site.txt']);
    expect(await keysIn(state)).toEqual(['private/from-state.txt']);
  });
});

describe('the stores of a local build', () => {
  it('are the three folders given, each writing only into its own', async () => {
    // Prepare
    const dir = await tempDir();
    const folders = { content: path.join(dir, 'content'), site: path.join(dir, 'dist'), state: path.join(dir, 'state') };

    // Act
    await putOneEach(openFs(folders));

    // Assess
    expect(await listFiles(dir)).toEqual(['content/from-content.txt', 'dist/from-site.txt', 'state/from-state.txt']);
    expect(await readFile(path.join(folders.state, 'from-state.txt'), 'utf8')).toBe('state');
  });
});
