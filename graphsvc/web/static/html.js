// htm turns tagged template literals into Preact elements, so components read like HTML without a
// JSX compiler (the dashboard has no build step).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
