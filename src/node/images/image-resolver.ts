// What an image reference means to the process runtime: the command, args, env and working
// directory to run when a pod's container gives no command of its own. Built-in images
// (kubelite/echo-server, ...) and the node's image map (--image-map FILE) both answer here.
import type { ImageInfo } from "../runtime/runtime.js";

export interface ImageResolver {
  /** The image's process, or undefined when this node cannot run it. */
  resolve(reference: string): ImageInfo | undefined;
}
