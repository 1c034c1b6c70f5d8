import { VigilError } from '../../src/errors.ts';

/** Every item of a paginated async iterator, and how many pages it yielded. */
export async function collectPages<T>(
  pages: AsyncGenerator<Iterable<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    for (const item of page) items.push(item);
    count++;
  }
  return { items, pages: count };
}

/** Every item of a paginated async iterator. */
export async function collectItems<T>(pages: AsyncGenerator<Iterable<T>>): Promise<T[]> {
  return (await collectPages(pages)).items;
}

/** The coded error a promise rejects with; fails the test if it resolves or throws something else. */
export async function vigilFailure(promise: Promise<unknown>): Promise<VigilError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}
