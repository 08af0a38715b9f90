import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ARTICLES_PREFIX, isArticleKey } from '../core/keys.ts';
import { readWithStat } from '../stores/fs-store.ts';
import { type GetOptions, isTooLarge, type ObjectInfo, type Store, type StoredObject, StoreError, type TooLarge } from '../stores/store.ts';
import { UsageError } from './usage.ts';

/**
 * The content folder as `check FILE...` sees it: its site.yaml and media/, and of the articles only the
 * named files. A file inside the folder's articles/ keeps its key (articles/2025/x.md); one elsewhere
 * (a draft not yet moved in) is checked as articles/<its name>, where it would go.
 */
export class NamedArticles implements Store {
  readonly #folder: Store;
  /** Content key -> the file as the user named it. */
  readonly #files: ReadonlyMap<string, string>;

  private constructor(folder: Store, files: ReadonlyMap<string, string>) {
    this.#folder = folder;
    this.#files = files;
  }

  static async open(folder: Store, contentDir: string, files: readonly string[]): Promise<NamedArticles> {
    const articles = path.resolve(contentDir, 'articles');
    const byKey = new Map<string, string>();
    for (const file of files) {
      const inside = path.relative(articles, path.resolve(file));
      const key = inside.startsWith('..') || path.isAbsolute(inside) ? `${ARTICLES_PREFIX}${path.basename(file)}` : `${ARTICLES_PREFIX}${inside.split(path.sep).join('/')}`;
      if (!isArticleKey(key)) throw new UsageError(`check: ${file} is not an article (an article is a .md file whose name does not start with a dot)`);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new UsageError(`check: ${file} is not a file`);
      const other = byKey.get(key);
      if (other !== undefined && path.resolve(other) !== path.resolve(file)) throw new UsageError(`check: ${other} and ${file} would both be ${key}; check them one at a time`);
      byKey.set(key, file);
    }
    return new NamedArticles(folder, byKey);
  }

  /** The file as the user named it, for a key this view holds. */
  label(key: string): string | undefined {
    return this.#files.get(key);
  }

  describe(key: string): string {
    return this.#files.get(key) ?? this.#folder.describe(key);
  }

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    const file = this.#files.get(key);
    if (file === undefined) return key.startsWith(ARTICLES_PREFIX) ? undefined : this.#folder.get(key, options);
    const read = await readWithStat(file, options.maxBytes).catch((err: unknown) => {
      throw new StoreError(file, 'could not be read', { cause: err });
    });
    // Named and checked as a file by open(), but a folder by now: a read failure, as a vanished file is.
    if (read === undefined) throw new StoreError(file, 'could not be read: it is no longer a file');
    return isTooLarge(read) ? read : { body: read.body, etag: `"${read.body.byteLength}"` };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    if (key.startsWith(ARTICLES_PREFIX)) return (await this.list(key)).find((info) => info.key === key);
    return this.#folder.head(key);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const named = await Promise.all(
      [...this.#files]
        .filter(([key]) => key.startsWith(prefix))
        .map(async ([key, file]) => {
          const { size } = await stat(file);
          return { key, etag: `"${size}"`, size };
        }),
    );
    const others = prefix.startsWith(ARTICLES_PREFIX) ? [] : (await this.#folder.list(prefix)).filter((info) => !info.key.startsWith(ARTICLES_PREFIX));
    return [...named, ...others].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string): Promise<{ etag: string }> {
    throw new StoreError(this.describe(key), 'is not written: check never writes to the content folder');
  }

  async delete(key: string): Promise<void> {
    throw new StoreError(this.describe(key), 'is not deleted: check never writes to the content folder');
  }
}
