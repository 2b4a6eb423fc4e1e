// Appending to short lists kept in large numbers without the 17-slot reserve a push makes.
/**
 * `list` with `item` appended. A pushed-to empty array reserves 17 slots (152 bytes) for the one to
 * three items that records kept by the hundred thousand usually hold (a pod's label changes, a DPC
 * requester's calls), so short lists are copied at their exact size instead; the result is then a
 * new array (read the field again after appending, keep no reference to the old list).
 */
export function appendSmall<T>(list: T[], item: T): T[] {
  if (list.length >= 8) { list.push(item); return list; }
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = item;
  return out;
}
