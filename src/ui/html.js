// @ts-check
/** htm bound to Preact's h: tagged-template JSX without a build step. */
import htm from 'htm';
import { h } from 'preact';

export const html = htm.bind(h);
