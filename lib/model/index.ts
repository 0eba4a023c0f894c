/** The PSL MobileNetV2: architecture plan, tfjs model, inference, checkpoints and PyTorch import. */
export * from "./config";
export * from "./layout";
export { torchFans, initialValues } from "./init";
export * from "./mobilenetv2";
export * from "./predict";
export * from "./checkpoint";
export * from "./check-weights";
export * from "./torch-import";
export * from "./open";
