/**
 * The closed set of scalar operations: what made a `Value` node, and what a
 * tape step computes. Compiling, the tape and the pictures all switch on it.
 */
export const enum Op {
  /** A node no operation made: a number, a parameter or an input. */
  Leaf,
  /** A placeholder filled from the batch (tape only). */
  Input,
  /** A number fixed at compile time (tape only). */
  Const,
  /** A parameter copied into every row's lane, where a plain op uses one (tape only). */
  Param,
  Add,
  Mul,
  Pow,
  Tanh,
  Relu,
  Sigmoid,
  Exp,
  Log,
  LogSumExp,
  /** Σ bias parameters + Σ parameter × node: a neuron's fused b + Σ wᵢxᵢ (tape only). */
  SumOfProducts,
}
