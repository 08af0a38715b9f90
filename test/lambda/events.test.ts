import { describe, expect, it } from 'vitest';
import { readEvent } from '../../functions/lambda/events.ts';
import { ask } from '../../functions/publish/protocol/requests.ts';
import { s3Notification, s3TestEvent, sqsEvent } from '../helpers/s3-site.ts';

// readEvent: every event shape the publisher Lambda receives, as AWS sends it, to the one request it asks.

describe('the schedules and hand-made events', () => {
  it.each([
    ['tick', ask.keys()],
    ['reconcile', ask.scan()],
    ['full', ask.full()],
  ])('reads { "wirefeed": "%s" } as its request, with no message to fail', (name, request) => {
    // Act
    const received = readEvent({ wirefeed: name });

    // Assess
    expect(received).toEqual({ request, messageIds: [] });
  });

  it.each([
    ['null', null],
    ['a string', 'full'],
    ['an unknown wirefeed value', { wirefeed: 'FULL' }],
    ['Records that are not a list', { Records: { eventSource: 'aws:s3' } }],
  ])('refuses %s as an unrecognised event, showing what it was given', (_what, event) => {
    // Act
    const read = () => readEvent(event);

    // Assess
    expect(read).toThrow(new Error(`unrecognised event: ${JSON.stringify(event)}`));
  });

  it('shows no more than the first 200 characters of an unrecognised event', () => {
    // Prepare
    const event = { note: 'x'.repeat(5_000) };

    // Act
    const read = () => readEvent(event);

    // Assess
    expect(read).toThrow(new Error(`unrecognised event: ${JSON.stringify(event).slice(0, 200)}`));
  });
});

describe("the rebuild's state machine", () => {
  it('reads a child of its item batcher as batches of the run to render, publishing nothing of its own', () => {
    // Prepare: as the Distributed Map's ItemBatcher gives a child its items, with the BatchInput beside them
    const event = {
      BatchInput: { wirefeed: 'render', run: 'g7-mio4x2k' },
      Items: [
        { n: 1, last: 'articles/b.md' },
        { n: 2, after: 'articles/b.md' },
      ],
    };
    // Act
    const received = readEvent(event);
    // Assess
    expect(received).toEqual({ request: ask.keys(), messageIds: [], child: { phase: 'render', run: 'g7-mio4x2k', items: event.Items } });
  });

  it("reads a child of the records step's execution as the batches whose records to write", () => {
    // Act
    const received = readEvent({ BatchInput: { wirefeed: 'records', run: 'g7-mio4x2k' }, Items: [{ n: 3 }, { n: 4 }] });
    // Assess
    expect(received.child).toEqual({ phase: 'records', run: 'g7-mio4x2k', items: [{ n: 3 }, { n: 4 }] });
  });

  it('reads its last state as the end of the run, and a tick that takes the rebuild on', () => {
    // Act
    const received = readEvent({ wirefeed: 'fanned', run: 'g7-mio4x2k', phase: 'records', failed: true });
    // Assess
    expect(received).toEqual({ request: ask.keys(), messageIds: [], fanEnded: { phase: 'records', run: 'g7-mio4x2k', failed: true } });
  });

  it.each([
    ['a run that is not an execution name', { BatchInput: { wirefeed: 'render', run: '../head' }, Items: [{ n: 1 }] }],
    ['an item without its number', { BatchInput: { wirefeed: 'render', run: 'g1-a' }, Items: [{ last: 'articles/b.md' }] }],
    ['an item whose bound is not a key', { BatchInput: { wirefeed: 'render', run: 'g1-a' }, Items: [{ n: 1, last: 7 }] }],
    ['an end without its run', { wirefeed: 'fanned' }],
    ['an end of a step there is not', { wirefeed: 'fanned', run: 'g1-a', phase: 'site' }],
    ['a child of a step there is not', { BatchInput: { wirefeed: 'site', run: 'g1-a' }, Items: [{ n: 1 }] }],
  ])('refuses %s as an unrecognised event', (_what, event) => {
    // Act
    const read = () => readEvent(event);
    // Assess
    expect(read).toThrow(/^unrecognised event/);
  });
});

describe('S3 notifications', () => {
  it('asks for the keys a direct notification names, decoded as S3 encodes them (+ for a space, %2B for a plus, UTF-8 escapes)', () => {
    // Prepare
    const event = s3Notification('news-content', ['articles/café news.md', 'articles/C++ 26 & "quotes" <b>.md', 'articles/100% sure.md']);

    // Act
    const received = readEvent(event);

    // Assess
    expect(received).toEqual({ request: ask.keys(['articles/100% sure.md', 'articles/C++ 26 & "quotes" <b>.md', 'articles/café news.md']), messageIds: [] });
  });

  it('asks for each key once, sorted, however many records and messages name it', () => {
    // Prepare
    const event = sqsEvent([
      s3Notification('news-content', ['articles/b.md', 'articles/a.md']),
      s3Notification('news-content', ['articles/a.md', { key: 'articles/b.md', event: 'ObjectRemoved:Delete' }]),
    ]);

    // Act
    const received = readEvent(event);

    // Assess
    expect(received.request).toEqual(ask.keys(['articles/a.md', 'articles/b.md']));
  });

  it('passes on keys outside articles/ (site.yaml, media/) for the publish to judge', () => {
    // Act
    const received = readEvent(s3Notification('news-content', ['site.yaml', 'media/harbour view.jpg']));

    // Assess
    expect(received.request.keys).toEqual(['media/harbour view.jpg', 'site.yaml']);
  });

  it('ignores records from other sources and records without a key', () => {
    // Prepare
    const event = {
      Records: [
        { eventSource: 'aws:sns', s3: { object: { key: 'articles/sns.md' } } },
        { eventSource: 'aws:s3', s3: { bucket: { name: 'news-content' } } },
        { eventSource: 'aws:s3', s3: { object: { key: 42 } } },
        ...s3Notification('news-content', ['articles/kept.md']).Records,
      ],
    };

    // Act
    const received = readEvent(event);

    // Assess
    expect(received).toEqual({ request: ask.keys(['articles/kept.md']), messageIds: [] });
  });
});

describe('SQS batches', () => {
  it('asks for the keys of the S3 notifications in the messages and keeps every message id, even of messages that name none', () => {
    // Prepare
    const event = sqsEvent([s3Notification('news-content', ['articles/budget vote.md']), s3TestEvent('news-content'), 'not JSON at all {', '{"Records": "nope"}', 'null']);

    // Act
    const received = readEvent(event);

    // Assess
    expect(received.request).toEqual(ask.keys(['articles/budget vote.md']));
    expect(received.messageIds).toEqual(event.Records.map((r) => r.messageId));
  });

  it('reads an s3:TestEvent alone as a request for nothing but what the clock made due', () => {
    // Prepare
    const event = sqsEvent([s3TestEvent('news-content')]);

    // Act
    const received = readEvent(event);

    // Assess
    expect(received).toEqual({ request: ask.keys(), messageIds: [event.Records[0]?.messageId] });
  });

  it('reads a message without a body or an id as naming nothing', () => {
    // Act
    const received = readEvent({ Records: [{ eventSource: 'aws:sqs' }] });

    // Assess
    expect(received).toEqual({ request: ask.keys(), messageIds: [] });
  });
});
