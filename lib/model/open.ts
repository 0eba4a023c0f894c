/**
 * Opens any model file the kit understands, by content (not extension): a kit checkpoint (safetensors) or a PyTorch
 * `torch.save` file of the reference model (zip). What users pass to `--checkpoint`.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors";
import { loadModel } from "./checkpoint";
import type { MobileNetV2 } from "./mobilenetv2";
import { importTorchCheckpoint } from "./torch-import";

export type ModelFileKind = "kit-checkpoint" | "pytorch";

/** Which loader a file needs, from its first bytes: zip ("PK\x03\x04") → PyTorch, "<u64 length>{" → safetensors. */
export function modelFileKind(path: string): ModelFileKind {
  const head = Buffer.alloc(9);
  let read = 0;
  try {
    const fd = openSync(path, "r");
    try {
      read = readSync(fd, head, 0, 9, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new UserError(`cannot read model file ${path}: ${(error as Error).message}`);
  }
  if (read >= 4 && head.readUInt32LE(0) === 0x04034b50) return "pytorch";
  if (read >= 2 && head[0] === 0x80 && head[1] <= 5) return "pytorch"; // legacy torch.save: importer explains
  if (read === 9 && head[8] === 0x7b) return "kit-checkpoint";
  throw new UserError(`${path}: neither a PSL Lab checkpoint (.safetensors) nor a PyTorch checkpoint (torch.save zip)`);
}

/** Loads a kit checkpoint or imports a PyTorch checkpoint, whichever `path` is. */
export function openModel(path: string): { model: MobileNetV2; kind: ModelFileKind } {
  const kind = modelFileKind(path);
  return { model: kind === "pytorch" ? importTorchCheckpoint(path) : loadModel(path), kind };
}
