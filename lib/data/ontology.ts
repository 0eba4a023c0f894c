/**
 * The AudioSet ontology (ontology.json: 632 nodes with child_ids). Gives each class its parents, children and
 * top-level category ("Human sounds", "Animal", "Music", "Sounds of things", "Natural sounds",
 * "Source-ambiguous sounds", "Channel, environment and background"), used to group per-class results.
 */
import { UserError } from "../errors";
import { parseJsonText, readJsonFile } from "../io/json-file";

export interface OntologyNode {
  id: string;
  name: string;
  description: string;
  childIds: string[];
  parentIds: string[];
  /** "abstract" and/or "blacklisted" in the official file. */
  restrictions: string[];
}

export interface Ontology {
  nodes: Map<string, OntologyNode>;
  /** Nodes without parents, in file order (the 7 top categories in the official file). */
  roots: OntologyNode[];
  node(mid: string): OntologyNode;
  /** Every ancestor (parents first, breadth-first), without the node itself. */
  ancestors(mid: string): OntologyNode[];
  /** All top-level categories above `mid` (a few classes sit under two), in root order. */
  topCategories(mid: string): OntologyNode[];
  /** The first top-level category above `mid` (the node itself if it is a root). */
  topCategory(mid: string): OntologyNode;
}

interface RawNode {
  id?: unknown;
  name?: unknown;
  description?: unknown;
  child_ids?: unknown;
  restrictions?: unknown;
}

/** The ontology in `text` (ontology.json's content); `name` names its source in error messages. */
export function parseOntology(text: string, name: string): Ontology {
  return ontologyOf(parseJsonText(text, name, "ontology"), name);
}

/** Reads an ontology.json. */
export function readOntology(path: string): Ontology {
  return ontologyOf(readJsonFile(path, "ontology"), path);
}

/** The ontology from parsed ontology.json (a JSON array of nodes); every malformed node is a UserError naming `name`. */
function ontologyOf(raw: unknown, name: string): Ontology {
  if (!Array.isArray(raw)) throw new UserError(`${name}: expected a JSON array of ontology nodes`);
  const nodes = new Map<string, OntologyNode>();
  (raw as RawNode[]).forEach((item, position) => {
    if (typeof item?.id !== "string" || typeof item.name !== "string") {
      throw new UserError(`${name}: node #${position} lacks a string "id"/"name"`);
    }
    const childIds = Array.isArray(item.child_ids) ? item.child_ids.map(String) : [];
    const restrictions = Array.isArray(item.restrictions) ? item.restrictions.map(String) : [];
    nodes.set(item.id, { id: item.id, name: item.name, description: String(item.description ?? ""), childIds, parentIds: [], restrictions });
  });
  for (const node of nodes.values()) {
    for (const child of node.childIds) {
      const childNode = nodes.get(child);
      if (!childNode) throw new UserError(`${name}: node ${node.id} lists unknown child ${child}`);
      childNode.parentIds.push(node.id);
    }
  }
  const roots = [...nodes.values()].filter((n) => n.parentIds.length === 0);
  const rootOrder = new Map(roots.map((r, i) => [r.id, i]));
  const node = (mid: string): OntologyNode => {
    const found = nodes.get(mid);
    if (!found) throw new UserError(`ontology ${name}: unknown mid ${mid}`);
    return found;
  };
  const ancestors = (mid: string): OntologyNode[] => {
    const seen = new Set<string>();
    const out: OntologyNode[] = [];
    let frontier = node(mid).parentIds;
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const id of frontier) {
        if (seen.has(id)) continue;
        seen.add(id);
        const parent = nodes.get(id)!;
        out.push(parent);
        next.push(...parent.parentIds);
      }
      frontier = next;
    }
    return out;
  };
  const topCategories = (mid: string): OntologyNode[] => {
    const self = node(mid);
    if (self.parentIds.length === 0) return [self];
    return ancestors(mid)
      .filter((a) => a.parentIds.length === 0)
      .sort((a, b) => rootOrder.get(a.id)! - rootOrder.get(b.id)!);
  };
  return { nodes, roots, node, ancestors, topCategories, topCategory: (mid) => topCategories(mid)[0] };
}
