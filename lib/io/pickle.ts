/**
 * A small, safe Python pickle reader (protocols 0–5, the opcodes `torch.save` and ordinary containers use).
 *
 * Why hand-written: reading PyTorch checkpoints needs a pickle VM, and no maintained npm package provides one that
 * runs without Python. It is "safe" in the sense that it never executes anything: GLOBAL/STACK_GLOBAL resolve through
 * the caller's `findClass`, and unknown classes become inert `PickleObject` records. Every read is bounds-checked;
 * each opcode consumes at least one byte, so any input terminates in time linear in its size, and malformed input
 * raises a UserError naming the source — never a hang or a raw crash.
 *
 * Value mapping: None → null, bool → boolean, int → number (bigint beyond 2^53), float → number, str → string,
 * bytes → Uint8Array, list → array, tuple → frozen array, dict → Map, set → Set.
 */
import { UserError } from "../errors";

/** A class/function reference the reader does not know; calling it (REDUCE/NEWOBJ) yields a PickleObject. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of an unknown class: constructor arguments, the state BUILD gave it, and the items APPENDS/SETITEMS
 * added (list and dict subclasses, e.g. an OrderedDict when no findClass maps it).
 */
export class PickleObject {
  state: unknown = undefined;
  readonly listItems: unknown[] = [];
  readonly dictItems = new Map<unknown, unknown>();
  constructor(
    readonly cls: PickleGlobal,
    readonly args: unknown[],
  ) {}
}

/** What `findClass` may return: a callable applied by REDUCE/NEWOBJ, or any value (a constant). */
export type PickleCallable = (...args: unknown[]) => unknown;

export interface UnpickleOptions {
  /**
   * Resolves `module.name` to a value: a function is what REDUCE/NEWOBJ will call; any other value is pushed as is
   * (e.g. a dtype marker). Return undefined to get an inert PickleGlobal.
   */
  findClass?: (module: string, name: string) => unknown;
  /** Resolves a persistent id (torch: storages). Required if the pickle has PERSID/BINPERSID. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Name of the source for error messages (file path, zip entry). */
  name?: string;
}

/** Objects BUILD can set state on: the reader calls `setState(state)` when a findClass result provides it. */
export interface HasSetState {
  __setstate__(state: unknown): void;
}

const MARK = Symbol("pickle.mark");
const MAX_LONG_BYTES = 1024;

/** Parses one pickle from `bytes` (starting at `start`); returns the value and the offset after STOP. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}, start = 0): { value: unknown; end: number } {
  const name = options.name ?? "pickle";
  const fail = (pos: number, why: string): never => {
    throw new UserError(`${name}: malformed pickle at byte ${pos} (${why})`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder("latin1");
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let pos = start;
  const stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.byteLength) fail(pos, `needs ${n} more bytes, file ends at ${bytes.byteLength}`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const i32 = () => view.getInt32(need(4), true);
  const u64 = () => {
    const at = need(8);
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(at, "8-byte length too large");
    return Number(value);
  };
  const raw = (n: number) => bytes.subarray(need(n), pos);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(pos, "unterminated text line");
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const decodeUtf8 = (data: Uint8Array, at: number): string => {
    try {
      return utf8.decode(data);
    } catch {
      return fail(at, "invalid UTF-8 in a string");
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(pos - 1, "stack underflow");
    const value = stack.pop();
    if (value === MARK) fail(pos - 1, "unexpected MARK on the stack");
    return value;
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(pos - 1, "stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack.splice(0);
    const previous = metastack.pop();
    if (previous === undefined) fail(pos - 1, "no MARK for this opcode");
    stack.push(...previous!);
    if (items.includes(MARK)) fail(pos - 1, "nested MARK");
    return items;
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) fail(pos, `memo entry ${index} was never stored`);
    return memo.get(index);
  };
  const memoPut = (index: number) => memo.set(index, top());
  const bigFromBytes = (data: Uint8Array): number | bigint => {
    if (data.length === 0) return 0;
    // Building a BigInt byte by byte is quadratic; no real checkpoint holds integers anywhere near this size.
    if (data.length > MAX_LONG_BYTES) fail(pos, `integer of ${data.length} bytes is too large`);
    let value = 0n;
    for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]);
    if (data[data.length - 1] & 0x80) value -= 1n << BigInt(8 * data.length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };
  const tuple = (items: unknown[]) => Object.freeze(items);
  const resolveGlobal = (module: string, qualname: string): unknown => options.findClass?.(module, qualname) ?? new PickleGlobal(module, qualname);
  const call = (callable: unknown, args: unknown, at: number): unknown => {
    if (!Array.isArray(args)) fail(at, "call arguments are not a tuple");
    if (typeof callable === "function") {
      try {
        return (callable as PickleCallable)(...(args as unknown[]));
      } catch (error) {
        if (error instanceof UserError) throw error;
        return fail(at, `${(error as Error).message}`);
      }
    }
    if (callable instanceof PickleGlobal) return new PickleObject(callable, [...(args as unknown[])]);
    return fail(at, "called a value that is not a class or function");
  };
  const setItems = (target: unknown, items: unknown[], at: number) => {
    const dict = target instanceof Map ? target : target instanceof PickleObject ? target.dictItems : fail(at, "SETITEM(S) on a value that is not a dict");
    if (items.length % 2 !== 0) fail(at, "odd number of items for SETITEMS");
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[], at: number) => {
    if (Array.isArray(target) && !Object.isFrozen(target)) target.push(...items);
    else if (target instanceof PickleObject) target.listItems.push(...items);
    else fail(at, "APPEND(S) on a value that is not a list");
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail(at, "unsupported pickle protocol");
        break;
      case 0x95: // FRAME (length is only a buffering hint)
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || metastack.length !== 0) fail(at, `STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        metastack.push(stack.splice(0));
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(bigFromBytes(raw(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail(at, "negative LONG4 length");
        stack.push(bigFromBytes(raw(n)));
        break;
      }
      case 0x49: {
        // INT (text): "01"/"00" are protocol-0 booleans
        const text = line().trim();
        if (text === "01" || text === "00") stack.push(text === "01");
        else {
          const value = Number(text);
          if (!Number.isInteger(value)) fail(at, `bad INT ${JSON.stringify(text)}`);
          stack.push(value);
        }
        break;
      }
      case 0x4c: {
        // LONG (text)
        const text = line().trim().replace(/L$/, "");
        if (!/^[-+]?\d+$/.test(text)) fail(at, `bad LONG ${JSON.stringify(text)}`);
        const value = BigInt(text);
        stack.push(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const value = Number(line().trim());
        stack.push(value);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: {
        // BINUNICODE
        const n = u32();
        stack.push(decodeUtf8(raw(n), at));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(decodeUtf8(raw(u8()), at));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(decodeUtf8(raw(u64()), at));
        break;
      case 0x54: {
        // BINSTRING (Python 2 str): latin-1
        const n = i32();
        if (n < 0) fail(at, "negative BINSTRING length");
        stack.push(latin1.decode(raw(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(raw(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(new Uint8Array(raw(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new Uint8Array(raw(u8())));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(raw(u64())));
        break;
      case 0x56: // UNICODE (text, raw-unicode-escape; ASCII is enough for what we read)
        stack.push(line());
        break;
      case 0x53: {
        // STRING (text, quoted repr)
        const text = line().trim();
        if (text.length < 2 || text[0] !== text[text.length - 1] || !`'"`.includes(text[0])) fail(at, "bad STRING literal");
        stack.push(text.slice(1, -1));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(tuple([a, b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const dict = new Map();
        setItems(dict, items, at);
        stack.push(dict);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (!(target instanceof Set)) fail(at, "ADDITEMS on a value that is not a set");
        for (const item of items) (target as Set<unknown>).add(item);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        appendItems(top(), [value], at);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items, at);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value], at);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items, at);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        const qualname = line();
        stack.push(resolveGlobal(module, qualname));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const qualname = pop();
        const module = pop();
        if (typeof module !== "string" || typeof qualname !== "string") fail(at, "STACK_GLOBAL needs two strings");
        stack.push(resolveGlobal(module as string, qualname as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(call(callable, args, at));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args, at));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX: keyword arguments are dropped (never used by torch checkpoints)
        pop();
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args, at));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target !== null && typeof target === "object" && typeof (target as Partial<HasSetState>).__setstate__ === "function") {
          (target as HasSetState).__setstate__(state);
        } else if (target instanceof PickleObject) {
          target.state = state;
        }
        // Other targets (e.g. an OrderedDict's `_metadata` attribute) carry state we do not need.
        break;
      }
      case 0x70: // PUT (text)
        memoPut(parseIndex(line(), at, fail));
        break;
      case 0x71: // BINPUT
        memoPut(u8());
        break;
      case 0x72: // LONG_BINPUT
        memoPut(u32());
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x67: // GET (text)
        stack.push(memoGet(parseIndex(line(), at, fail)));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x50: // PERSID (text)
      case 0x51: {
        // BINPERSID
        const pid = op === 0x50 ? line() : pop();
        if (!options.persistentLoad) fail(at, "persistent id without a persistent_load handler");
        try {
          stack.push(options.persistentLoad!(pid));
        } catch (error) {
          if (error instanceof UserError) throw error;
          fail(at, (error as Error).message);
        }
        break;
      }
      default:
        fail(at, `unsupported opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }
}

function parseIndex(text: string, at: number, fail: (pos: number, why: string) => never): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0) fail(at, `bad memo index ${JSON.stringify(text)}`);
  return value;
}
