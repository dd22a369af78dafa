// Field paths as upstream writes them in errors (k8s.io/apimachinery/pkg/util/validation/field.Path):
// `spec.template.spec.containers[0].resources.requests[cpu]`.

export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(...names: string[]): FieldPath {
    return new FieldPath([this.text, ...names].filter(Boolean).join("."));
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

export const path = (name: string, ...children: string[]): FieldPath => FieldPath.root(name).child(...children);
