// The error label and field selector parsing throws, worded as upstream's (k8s.io/apimachinery
// pkg/labels, pkg/fields). The HTTP edge turns it into a 400 BadRequest.

export class SelectorError extends Error {
  override readonly name = "SelectorError";
}
