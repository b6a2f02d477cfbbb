// Plugin entry: filled by the rules issues.
export default {};
