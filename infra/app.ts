#!/usr/bin/env -S npx tsx
import { createApp } from './createApp.ts';

// `cdk synth|deploy` runs this (cdk.json "app"); the configuration comes from context (see
// infra/config.ts). POGLYTICS_SKIP_BUNDLING=1 synthesizes without running esbuild (CI checks).
createApp({ skipBundling: process.env.POGLYTICS_SKIP_BUNDLING === '1' }).app.synth();
