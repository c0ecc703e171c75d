import type { ModelDef } from '../orm/model-def.js';
import { accountMove, accountMoveLine, accountPaymentRegister } from './account-move.js';
import { accountTax, productCategory, resCompany, resCountry, resCurrency, resUsers, uomUom } from './base-models.js';
import { productPricelist, productPricelistItem, productProduct } from './product.js';
import { resPartner } from './res-partner.js';
import { saleAdvancePaymentInv, saleOrder, saleOrderLine } from './sale-order.js';
import { deliveryCarrier, stockLocation, stockMove, stockPicking, stockPickingType, stockQuant, stockWarehouse } from './stock.js';

/** Every model the simulator serves. */
export function allModels(): ModelDef[] {
  return [
    resUsers, resCompany, resCurrency, resCountry, uomUom, accountTax, productCategory,
    resPartner, productProduct, productPricelist, productPricelistItem,
    stockWarehouse, stockLocation, stockPickingType, stockQuant, stockPicking, stockMove, deliveryCarrier,
    saleOrder, saleOrderLine, saleAdvancePaymentInv,
    accountMove, accountMoveLine, accountPaymentRegister,
  ];
}
