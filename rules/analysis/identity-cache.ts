/**
 * A function of an object, computed once per object (by identity) and remembered while the object lives. The
 * last object asked about is compared first: ESLint hands every file of a config the same settings object, so
 * the per-file lookup is one comparison, not a hash-table probe on memory the parse has long evicted.
 */
export function cachedByIdentity<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V>();
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  return (key) => {
    if (key === lastKey) return lastValue as V;
    let value = known.get(key);
    if (value === undefined) {
      value = make(key);
      known.set(key, value);
    }
    lastKey = key;
    lastValue = value;
    return value;
  };
}
