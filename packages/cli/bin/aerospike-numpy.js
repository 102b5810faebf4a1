#!/usr/bin/env node
// The command's entry, outside dist/ so that an install links it before the first build.
import '../dist/bin.js'
