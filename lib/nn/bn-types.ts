/** Shared constants and parameter types of the MobileNetV2 building blocks (see ops.ts). */
import type * as tf from "@tensorflow/tfjs";

/** PyTorch BatchNorm2d defaults. */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

export interface BatchNormVars {
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
  runningMean: tf.Variable<tf.Rank.R1>;
  runningVar: tf.Variable<tf.Rank.R1>;
}

export interface ConvBnOptions {
  stride: 1 | 2;
  /** ReLU6 after BatchNorm (false for the linear bottleneck projection). */
  relu6: boolean;
  /** Training mode: batch statistics, running statistics updated in place (as PyTorch). */
  training: boolean;
}
