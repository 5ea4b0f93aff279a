import { bench } from './bench/parse.ts';
console.log(await bench({ quick: process.argv[2] === 'quick' }));
