/**
 * The few protocol-buffer encodings an ONNX file needs: varints (int64
 * included, negative ones as ten bytes of two's complement), strings, bytes
 * and nested messages. A message is written as a list of fields, in order.
 */
export type FieldValue = number | bigint | string | Uint8Array | Message;
export type Message = [field: number, value: FieldValue][];

export function encode(message: Message): Uint8Array {
  const out = new Bytes();
  for (const [field, value] of message) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      out.varint(BigInt(field) << 3n); // wire type 0: varint
      out.varint(BigInt.asUintN(64, BigInt(value)));
    } else {
      const bytes =
        typeof value === 'string'
          ? new TextEncoder().encode(value)
          : value instanceof Uint8Array
            ? value
            : encode(value);
      out.varint((BigInt(field) << 3n) | 2n); // wire type 2: length-delimited
      out.varint(BigInt(bytes.length));
      out.bytes(bytes);
    }
  }
  return out.done();
}

class Bytes {
  private parts: Uint8Array[] = [];
  private size = 0;

  varint(value: bigint): void {
    const bytes: number[] = [];
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.bytes(Uint8Array.from(bytes));
  }

  bytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  done(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
