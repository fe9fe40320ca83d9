import { logSumExp, sigmoid, tanh } from './math.js';
import { Op } from './op.js';

/**
 * A scalar node in a computation graph, after micrograd. Each operation is a
 * small class whose constructor computes the forward value and whose
 * `backwardStep` sends the gradient back to its inputs, side by side. Only
 * these primitives carry a derivative; everything else is composed from them
 * (`a - b` is `a + (-b)`, `a / b` is `a * b^-1`).
 *
 * The two rules from the design notes drive everything:
 * - an addition forwards the same derivative to each input;
 * - a multiplication forwards the derivative times the *other* input.
 */
export type Operand = Value | number;

export class Value {
  data: number;
  /** d(output)/d(this), filled in by `backward()`. Accumulates: clear it with `zeroGrad`. */
  grad = 0;
  /** Optional name, for pictures and messages. */
  label = '';
  /** Which sort last visited this node (see `topologicalOrder`); cheaper than a Set of visited nodes. */
  visitMark = 0;
  /** This node's place in the order `compile` is lowering (valid only while it runs); cheaper than a Map. */
  compileIndex = -1;
  /** The operation's inputs (null where it has fewer). Fields, not an array, to keep nodes small. */
  readonly a: Value | null;
  readonly b: Value | null;

  constructor(data: number, a: Value | null = null, b: Value | null = null) {
    this.data = data;
    this.a = a;
    this.b = b;
  }

  /** The operation that made this node (`Op.Leaf` for a leaf). */
  get op(): Op {
    return Op.Leaf;
  }

  /** The inputs of the operation that made this node (empty for leaves). */
  get children(): Value[] {
    return this.a === null ? [] : this.b === null ? [this.a] : [this.a, this.b];
  }

  /** Adds this node's share to its inputs' gradients; leaves have no inputs. */
  backwardStep(): void {}

  add(other: Operand): Value {
    return new Add(this, toValue(other));
  }

  mul(other: Operand): Value {
    return new Mul(this, toValue(other));
  }

  /** `this ** k` for a constant exponent k. */
  pow(k: number): Value {
    return new Pow(this, k);
  }

  tanh(): Value {
    return new Tanh(this);
  }

  relu(): Value {
    return new Relu(this);
  }

  sigmoid(): Value {
    return new Sigmoid(this);
  }

  exp(): Value {
    return new Exp(this);
  }

  log(): Value {
    return new Log(this);
  }

  /** log(e^this + e^other), computed without overflow: the stable core of softmax and cross-entropy. */
  logSumExp(other: Operand): Value {
    return new LogSumExp(this, toValue(other));
  }

  // --- composed from the primitives ---

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: Operand): Value {
    return this.add(toValue(other).neg());
  }

  div(other: Operand): Value {
    return this.mul(toValue(other).pow(-1));
  }

  /**
   * Back-propagate from this node: d(this)/d(this) = 1, then every node, in
   * reverse topological order, hands its gradient to its inputs. The sort is
   * iterative, so a graph of any depth cannot overflow the call stack.
   */
  backward(): void {
    const order = topologicalOrder(this);
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i]!.backwardStep();
  }
}

// --- the primitives: forward in the constructor, backward beside it ---

class Add extends Value {
  constructor(a: Value, b: Value) {
    super(a.data + b.data, a, b);
  }
  override get op(): Op {
    return Op.Add;
  }
  override backwardStep(): void {
    this.a!.grad += this.grad;
    this.b!.grad += this.grad;
  }
}

class Mul extends Value {
  constructor(a: Value, b: Value) {
    super(a.data * b.data, a, b);
  }
  override get op(): Op {
    return Op.Mul;
  }
  override backwardStep(): void {
    this.a!.grad += this.b!.data * this.grad;
    this.b!.grad += this.a!.data * this.grad;
  }
}

export class Pow extends Value {
  readonly k: number;
  constructor(a: Value, k: number) {
    super(a.data ** k, a);
    this.k = k;
  }
  override get op(): Op {
    return Op.Pow;
  }
  override backwardStep(): void {
    this.a!.grad += this.k * this.a!.data ** (this.k - 1) * this.grad;
  }
}

class Tanh extends Value {
  constructor(a: Value) {
    super(tanh(a.data), a);
  }
  override get op(): Op {
    return Op.Tanh;
  }
  override backwardStep(): void {
    this.a!.grad += (1 - this.data * this.data) * this.grad;
  }
}

class Relu extends Value {
  constructor(a: Value) {
    super(a.data > 0 ? a.data : 0, a);
  }
  override get op(): Op {
    return Op.Relu;
  }
  override backwardStep(): void {
    if (this.a!.data > 0) this.a!.grad += this.grad;
  }
}

class Sigmoid extends Value {
  constructor(a: Value) {
    super(sigmoid(a.data), a);
  }
  override get op(): Op {
    return Op.Sigmoid;
  }
  override backwardStep(): void {
    this.a!.grad += this.data * (1 - this.data) * this.grad;
  }
}

class Exp extends Value {
  constructor(a: Value) {
    super(Math.exp(a.data), a);
  }
  override get op(): Op {
    return Op.Exp;
  }
  override backwardStep(): void {
    this.a!.grad += this.data * this.grad;
  }
}

class Log extends Value {
  constructor(a: Value) {
    super(Math.log(a.data), a);
  }
  override get op(): Op {
    return Op.Log;
  }
  override backwardStep(): void {
    this.a!.grad += this.grad / this.a!.data;
  }
}

class LogSumExp extends Value {
  constructor(a: Value, b: Value) {
    super(logSumExp(a.data, b.data), a, b);
  }
  override get op(): Op {
    return Op.LogSumExp;
  }
  // ∂/∂a log(e^a + e^b) = e^a / (e^a + e^b) = e^(a − out): the softmax weight of a.
  override backwardStep(): void {
    this.a!.grad += Math.exp(this.a!.data - this.data) * this.grad;
    this.b!.grad += Math.exp(this.b!.data - this.data) * this.grad;
  }
}

/** Sum of many operands as one chain of additions (an empty sum is 0). */
export function sum(items: readonly Operand[]): Value {
  let total = toValue(items.length > 0 ? items[0]! : 0);
  for (let i = 1; i < items.length; i++) total = total.add(items[i]!);
  return total;
}

export function toValue(x: Operand): Value {
  return x instanceof Value ? x : new Value(x);
}

let sortCount = 0;

/** Every node reachable from `root` (or from any of several roots), each after all of its inputs. */
export function topologicalOrder(root: Value | readonly Value[]): Value[] {
  const mark = ++sortCount;
  const order: Value[] = [];
  const roots = root instanceof Value ? [root] : root;
  for (const r of roots) if (r.visitMark !== mark) visit(r, mark, order);
  return order;
}

function visit(root: Value, mark: number, order: Value[]): void {
  // Depth-first with an explicit stack instead of recursion. A node is marked when
  // expanded and emitted when met again after its inputs; in a DAG an input is
  // never still open when it is met again, so a marked input is already emitted.
  const stack: Value[] = [root];
  const expanded: boolean[] = [false];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const node = stack[top]!;
    if (expanded[top]) {
      order.push(node);
      stack.pop();
      expanded.pop();
    } else if (node.visitMark === mark) {
      stack.pop(); // reached twice before being expanded: the other copy does the work
      expanded.pop();
    } else {
      node.visitMark = mark;
      expanded[top] = true;
      // b is pushed first so that a is expanded and emitted first.
      const { a, b } = node;
      if (b !== null && b.visitMark !== mark) {
        stack.push(b);
        expanded.push(false);
      }
      if (a !== null && a.visitMark !== mark) {
        stack.push(a);
        expanded.push(false);
      }
    }
  }
}
