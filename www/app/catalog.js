// The shop's products. Prices live on the server: the page shows them, but a checkout
// only sends product ids and quantities, and the server prices the order from here.
export const CATALOG = [
  { id: 'beans-ethiopia', name: 'Ethiopia Yirgacheffe beans, 250 g', price: '12.90', type: 'general', emoji: '🫘', tone: '#f4e1c1' },
  { id: 'beans-colombia', name: 'Colombia Huila beans, 1 kg', price: '38.50', type: 'general', emoji: '☕', tone: '#e8d3b9' },
  { id: 'grinder', name: 'Hand grinder "Crème & Co."', price: '64.99', type: 'general', emoji: '⚙️', tone: '#dfe6ee' },
  { id: 'cups', name: 'Espresso cups, set of 2', price: '19.99', type: 'general', emoji: '🍵', tone: '#e3efe3' },
  { id: 'gift-card', name: 'Gift card', price: '25', type: 'digital', emoji: '🎁', tone: '#f6dde4' },
];

export const CURRENCY = 'EUR';

export const findProduct = (id) => CATALOG.find((p) => p.id === id);
