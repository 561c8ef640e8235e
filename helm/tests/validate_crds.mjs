// Validates the custom resources of a render (crds.json from split_rendered.py) against the
// kubernetes-models packages, generated from prometheus-operator's and KEDA's Go types: field
// types, required fields, enums and patterns (KEDA trigger metadata must be strings, durations
// must parse). Those models do not reject unknown fields.
//
// Usage: node validate_crds.mjs NODE_MODULES_DIR crds.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, file] = process.argv.slice(2);
const MODELS = {
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor.js",
  "monitoring.coreos.com/v1/PrometheusRule":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule.js",
  "monitoring.coreos.com/v1/PodMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor.js",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject.js",
};

let failed = 0;
for (const doc of JSON.parse(readFileSync(file, "utf8"))) {
  const id = `${doc.apiVersion}/${doc.kind}`;
  const name = `${doc.kind}/${doc.metadata.name}`;
  const path = MODELS[id];
  if (!path) {
    console.error(`  ${name}: no validator for ${id}`);
    failed++;
    continue;
  }
  const module = await import(pathToFileURL(join(modules, path)).href);
  const Model = module[doc.kind];
  try {
    new Model(doc).validate();
  } catch (error) {
    console.error(`  ${name}: ${error.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
