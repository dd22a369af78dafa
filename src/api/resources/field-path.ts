// Field paths as upstream writes them in errors (k8s.io/apimachinery/pkg/util/validation/field.Path):
// `spec.template.spec.containers[0].resources.requests[cpu]`.

export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  /** Empty names are skipped, as is an empty root. */
  child(...names: string[]): FieldPath {
    let text = this.text;
    for (const name of names) if (name) text = text ? `${text}.${name}` : name;
    return new FieldPath(text);
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
